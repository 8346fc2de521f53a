using System.Diagnostics;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Generation;

namespace Parma.Benchmarks.Agent;

/// <summary>
/// `dotnet run -c Release --project bench/Parma.Benchmarks -- agent-decision-loop [SECONDS] [socket]`: evaluates the
/// CreateContainer decision in process (or, with `socket`, sends CreateContainer + RemoveContainer over the
/// agent's socket) in a loop, for a profiler to attach to (dotnet-trace collect -p PID --profile
/// dotnet-sampled-thread-time). Prints the rate and, in process, the bytes allocated per decision.
/// </summary>
public static class AgentDecisionLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
        await using var setup = await AgentBenchSetup.StartAsync(containers: 2);
        await setup.StartPodAsync();
        var sim = setup.Simulator;
        var second = setup.Plan.Containers.Where(c => c.Role != ContainerRole.Pause).ElementAt(1);
        var create = (CreateContainerRequest)PolicyInputReader.Read(sim.CreateContainer(second), CreateContainerRequest.Descriptor);
        var session = setup.Host.Policy.Session;
        var removeRequest = new RemoveContainerRequest { ContainerId = sim.ContainerId(second) };
        if (args is [_, "socket", ..])
        {
            Console.WriteLine($"pid {Environment.ProcessId}: CreateContainer ({create.CalculateSize()} bytes) + RemoveContainer over the socket for {seconds} s");
            var pairs = await TimePairsAsync(seconds, () => setup.Client.CallAsync("CreateContainer", create), () => setup.Client.CallAsync("RemoveContainer", removeRequest));
            Console.WriteLine($"CreateContainer p50 {pairs.Create[pairs.Count / 2]:F0} µs, RemoveContainer p50 {pairs.Remove[pairs.Count / 2]:F0} µs");
            Console.WriteLine($"{pairs.Count / pairs.Wall.TotalSeconds:F0} create+remove pairs/s, process CPU {pairs.Cpu.TotalMicroseconds / pairs.Count:F0} µs per pair; {GcSummary()}");
            return 0;
        }

        if (args is [_, "handle", ..])
        {
            // The server side of a call without the socket: ttrpc payload → protobuf → policy input → decision → response bytes.
            var payload = create.ToByteArray();
            var removePayload = removeRequest.ToByteArray();
            var pairs = await TimePairsAsync(
                seconds,
                () => setup.Host.Dispatcher.HandleAsync(new TtrpcCall(1, AgentMethods.Service, "CreateContainer", payload, null, new Dictionary<string, string>()), CancellationToken.None),
                () => setup.Host.Dispatcher.HandleAsync(new TtrpcCall(3, AgentMethods.Service, "RemoveContainer", removePayload, null, new Dictionary<string, string>()), CancellationToken.None));
            Console.WriteLine($"CreateContainer through HandleAsync: n={pairs.Count} p50={pairs.Create[pairs.Count / 2]:F0} µs; {GcSummary()}");
            return 0;
        }

        if (args is [_, "dispatch", ..])
        {
            // The agent's whole request path without the socket: decode, policy input, decision, backend, commit, audit.
            var createMethod = AgentMethods.ByName["CreateContainer"];
            var removeMethod = AgentMethods.ByName["RemoveContainer"];
            var pairs = await TimePairsAsync(
                seconds,
                () => setup.Host.Dispatcher.DecideAndExecuteAsync(createMethod, create, PolicyValue.From(create), CancellationToken.None),
                () => setup.Host.Dispatcher.DecideAndExecuteAsync(removeMethod, removeRequest, PolicyValue.From(removeRequest), CancellationToken.None));
            Console.WriteLine($"CreateContainer through the dispatcher: n={pairs.Count} p50={pairs.Create[pairs.Count / 2]:F0} µs, process CPU {pairs.Cpu.TotalMicroseconds / pairs.Count:F0} µs per pair, "
                + $"wall {pairs.Wall.TotalMicroseconds / pairs.Count:F0} µs per pair; {GcSummary()}");
            return 0;
        }

        if (args is [_, "convert", ..])
        {
            // The agent's own work around a decision: decoding the request and building the policy input.
            var bytes = create.ToByteArray();
            Console.WriteLine($"decode: {MeanMicroseconds(seconds / 2.0, () => CreateContainerRequest.Parser.ParseFrom(bytes)):F1} µs, "
                + $"policy input: {MeanMicroseconds(seconds / 2.0, () => PolicyValue.From(create)):F1} µs per CreateContainer");
            return 0;
        }

        // `parsed`: each decision on a freshly decoded copy of the request, as the agent gets it off the wire
        // (no string instance shared with the previous decision).
        var parsed = args is [_, "parsed", ..];
        var wire = create.ToByteArray();
        Console.WriteLine($"pid {Environment.ProcessId}: evaluating CreateContainerRequest for {seconds} s{(parsed ? ", decoding it each time" : "")}");
        var stopwatch = Stopwatch.StartNew();
        var count = 0L;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            var decision = session.Evaluate("CreateContainerRequest", PolicyValue.From(parsed ? CreateContainerRequest.Parser.ParseFrom(wire) : create));
            if (!decision.Allowed)
            {
                Console.Error.WriteLine($"denied: {decision.Reason}");
                return 1;
            }

            count++;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"{count / stopwatch.Elapsed.TotalSeconds:F0} decisions/s, {stopwatch.Elapsed.TotalMicroseconds / count:F0} µs and {allocated / count / 1024.0:F1} KB allocated per decision");
        return 0;
    }

    /// <summary>Create/remove pairs for about <paramref name="seconds"/> s: each step's times (sorted, µs), the process CPU and the wall time.</summary>
    private static async Task<(List<double> Create, List<double> Remove, int Count, TimeSpan Cpu, TimeSpan Wall)> TimePairsAsync(int seconds, Func<Task> create, Func<Task> remove)
    {
        var createTimes = new List<double>();
        var removeTimes = new List<double>();
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            await create();
            createTimes.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            start = Stopwatch.GetTimestamp();
            await remove();
            removeTimes.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        var wall = clock.Elapsed;
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        createTimes.Sort();
        removeTimes.Sort();
        return (createTimes, removeTimes, createTimes.Count, cpu, wall);
    }

    /// <summary>Mean time of <paramref name="action"/> over about <paramref name="seconds"/> s, after a warm-up.</summary>
    private static double MeanMicroseconds(double seconds, Func<object> action)
    {
        for (var i = 0; i < 5000; i++)
        {
            action();
        }

        var count = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 100; i++)
            {
                action();
            }

            count += 100;
        }

        return clock.Elapsed.TotalMicroseconds / count;
    }

    private static string GcSummary() =>
        $"GCs gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms; "
        + $"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms";
}
