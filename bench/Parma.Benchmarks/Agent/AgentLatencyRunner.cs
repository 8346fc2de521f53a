using System.Diagnostics;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Policy.Generation;
using Parma.Policy.Simulation;

namespace Parma.Benchmarks.Agent;

/// <summary>
/// `dotnet run -c Release --project bench/Parma.Benchmarks -- agent-latency`: p50/p99 latency of
/// CreateContainer and ExecProcess decisions over the Unix socket, trivial requests/s with 8
/// concurrent clients, and the agent's managed memory after loading a ~100 KB policy.
/// </summary>
public static class AgentLatencyRunner
{
    private const int WarmUp = 2000;

    public static async Task<int> RunAsync()
    {
        await using (var setup = await AgentBenchSetup.StartAsync(containers: 2))
        {
            await setup.StartPodAsync();
            var sim = setup.Simulator;
            var second = setup.Plan.Containers.Where(c => c.Role != ContainerRole.Pause).ElementAt(1);
            var create = PolicyInputReader.Read(sim.CreateContainer(second), CreateContainerRequest.Descriptor);
            var remove = new RemoveContainerRequest { ContainerId = sim.ContainerId(second) };
            var exec = PolicyInputReader.Read(sim.ExecProcess(setup.App, ["/app/healthy.sh"]), ExecProcessRequest.Descriptor);
            var wait = new WaitProcessRequest { ContainerId = sim.Sandbox.SandboxId, ExecId = sim.Sandbox.SandboxId };

            var createTimes = await MeasureAsync(2000, () => setup.Client.CallAsync("CreateContainer", create), () => setup.Client.CallAsync("RemoveContainer", remove));
            Report("CreateContainer (allowed)", createTimes);
            Report("ExecProcess (allowed probe)", await MeasureAsync(2000, () => setup.Client.CallAsync("ExecProcess", exec), null));
            Report("WaitProcess (trivial)", await MeasureAsync(2000, () => setup.Client.CallAsync("WaitProcess", wait), null));
            await ThroughputAsync(setup, wait);
            Breakdown(setup, (CreateContainerRequest)create);
        }

        await MemoryAsync();
        return 0;
    }

    private static async Task<List<double>> MeasureAsync(int count, Func<Task<IMessage>> measured, Func<Task<IMessage>>? after)
    {
        var times = new List<double>(count);
        // Warm-up long enough for tiered compilation to reach optimised code on the evaluator's hot paths
        // (200 requests left part of the measured CreateContainer calls running tier-0 code).
        for (var i = 0; i < count + WarmUp; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await measured();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (i >= WarmUp)
            {
                times.Add(elapsed);
            }

            if (after is not null)
            {
                await after();
            }
        }

        times.Sort();
        return times;
    }

    /// <summary>The in-process parts of a CreateContainer decision: protobuf → policy input → Rego value, and the policy evaluation itself.</summary>
    private static void Breakdown(AgentBenchSetup setup, CreateContainerRequest create)
    {
        var convert = new List<double>();
        var evaluate = new List<double>();
        var session = setup.Host.Policy.Session;
        for (var i = 0; i < 2200; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var value = PolicyValue.From(create);
            var converted = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            start = Stopwatch.GetTimestamp();
            session.Evaluate("CreateContainerRequest", value).Allowed.ToString();
            var evaluated = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (i >= 200)
            {
                convert.Add(converted);
                evaluate.Add(evaluated);
            }
        }

        convert.Sort();
        evaluate.Sort();
        Report("  in-process: protobuf -> policy input (Rego value)", convert);
        Report("  in-process: policy evaluation (CreateContainerRequest)", evaluate);
    }

    private static void Report(string what, List<double> sorted) =>
        Console.WriteLine($"{what}: n={sorted.Count} p50={sorted[sorted.Count / 2]:F0} µs p99={sorted[(int)(sorted.Count * 0.99)]:F0} µs max={sorted[^1]:F0} µs");

    private static async Task ThroughputAsync(AgentBenchSetup setup, IMessage trivial)
    {
        var clients = new List<AgentClient>();
        for (var i = 0; i < 8; i++)
        {
            clients.Add(await AgentClient.ConnectAsync(setup.Host.Address["unix:".Length..]));
        }

        var total = 0L;
        var duration = TimeSpan.FromSeconds(5);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async client =>
        {
            while (stopwatch.Elapsed < duration)
            {
                await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.CallAsync("WaitProcess", trivial)));
                Interlocked.Add(ref total, 4);
            }
        }));
        Console.WriteLine($"trivial requests (WaitProcess, 8 connections x 4 in flight): {total / stopwatch.Elapsed.TotalSeconds:F0} requests/s");
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>Managed heap growth from starting an agent (compile, bind, listen) on a policy of at least 100 KB.</summary>
    private static async Task MemoryAsync()
    {
        var work = Directory.CreateTempSubdirectory("parma-bench-memory-").FullName;
        try
        {
            var containers = 8;
            var (settings, plan, text) = await AgentBenchSetup.GenerateAsync(containers, work);
            while (text.Length < 100 * 1024)
            {
                containers += 4;
                (settings, plan, text) = await AgentBenchSetup.GenerateAsync(containers, work);
            }

            var policyPath = Path.Combine(work, "policy.rego");
            await File.WriteAllTextAsync(policyPath, text);
            var baseline = GC.GetTotalMemory(forceFullCollection: true);
            await using var host = await AgentBenchSetup.StartAgentAsync(Path.Combine(work, "memory.sock"), policyPath, text);
            var loaded = GC.GetTotalMemory(forceFullCollection: true);

            // The values the engine keeps per policy (rules fixed by the policy text) are computed by the first decision that needs them.
            var simulator = new KataHostSimulator(settings, plan);
            foreach (var container in plan.Containers)
            {
                var create = PolicyInputReader.Read(simulator.CreateContainer(container), CreateContainerRequest.Descriptor);
                host.Policy.Session.Evaluate("CreateContainerRequest", PolicyValue.From(create));
            }

            var decided = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"policy of {text.Length / 1024.0:F0} KB ({plan.Containers.Count} containers): managed heap +{(loaded - baseline) / 1048576.0:F1} MiB after the agent loaded it, "
                + $"+{(decided - baseline) / 1048576.0:F1} MiB after a CreateContainer decision for each container; process working set {Environment.WorkingSet / 1048576.0:F0} MiB");
            GC.KeepAlive(host);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
