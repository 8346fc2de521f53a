using System.Diagnostics;
using System.Globalization;
using Parma.Agent.Protocol;
using Parma.Benchmarks.Agent;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Rego;

namespace Parma.Benchmarks.Policy;

/// <summary>
/// `dotnet run -c Release --project bench/Parma.Benchmarks -- framework-ab OLD.rego [ROUNDS] [SECONDS]`: the
/// CreateContainer decision (protobuf → policy input → evaluation, as the agent makes it) under another
/// framework text (A, e.g. `git show BASE:lib/Parma.Policy/Framework/framework.rego`) and under the
/// built-in one (B), on the same generated policy data and the same request, in one process, in alternating
/// rounds. Prints each side's percentiles over all rounds and the allocation per decision.
/// </summary>
public static class FrameworkAbRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: framework-ab OLD_FRAMEWORK.rego [ROUNDS] [SECONDS_PER_ROUND]");
            return 2;
        }

        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var work = Directory.CreateTempSubdirectory("parma-bench-ab-").FullName;
        try
        {
            var (settings, plan, policyText) = await AgentBenchSetup.GenerateAsync(containers: 2, work);
            var data = policyText[policyText.IndexOf("\n\npolicy_data := ", StringComparison.Ordinal)..];
            var sides = new[]
            {
                new Side("A (" + Path.GetFileName(args[0]) + ")", PolicyEngine.Load(File.ReadAllText(args[0]).TrimEnd('\n') + data)),
                new Side("B (built-in framework)", PolicyEngine.Load(policyText)),
            };

            var host = new Parma.Policy.Simulation.KataHostSimulator(settings, plan);
            var second = plan.Containers.Where(c => c.Role != ContainerRole.Pause).ElementAt(1);
            var create = (CreateContainerRequest)PolicyInputReader.Read(host.CreateContainer(second), CreateContainerRequest.Descriptor);
            foreach (var side in sides)
            {
                side.Session = side.Engine.NewSession();
                foreach (var request in host.StartPod().Take(5))
                {
                    var decision = side.Session.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString()));
                    if (!decision.Allowed)
                    {
                        Console.Error.WriteLine($"{side.Name}: {request.Description} denied: {decision.Reason}");
                        return 1;
                    }
                }
            }

            Console.WriteLine($"{Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Trim()}; CreateContainer for {second.Name}, {create.CalculateSize()} bytes; {rounds} rounds of {seconds} s per side");
            for (var round = 0; round < rounds; round++)
            {
                foreach (var side in round % 2 == 0 ? sides : sides.Reverse())
                {
                    if (!side.Time(create, seconds))
                    {
                        return 1;
                    }
                }
            }

            foreach (var side in sides)
            {
                side.Report();
            }

            Console.WriteLine($"p50 B - A: {sides[1].Percentile(0.5) - sides[0].Percentile(0.5):F1} µs; load average at the end {File.ReadAllText("/proc/loadavg").Trim()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private sealed class Side(string name, PolicyEngine engine)
    {
        private readonly List<double> _times = [];
        private long _allocated;
        private long _count;

        public string Name => name;

        public PolicyEngine Engine => engine;

        public PolicySession Session { get; set; } = null!;

        /// <summary>Decides the request for about <paramref name="seconds"/> s after a short warm-up, keeping each decision's time.</summary>
        public bool Time(CreateContainerRequest create, double seconds)
        {
            for (var i = 0; i < 200; i++)
            {
                Session.Evaluate("CreateContainerRequest", PolicyValue.From(create));
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var n = 0L;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var start = Stopwatch.GetTimestamp();
                var decision = Session.Evaluate("CreateContainerRequest", PolicyValue.From(create));
                _times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                if (!decision.Allowed)
                {
                    Console.Error.WriteLine($"{name}: denied: {decision.Reason}");
                    return false;
                }

                n++;
            }

            _allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            _count += n;
            return true;
        }

        public double Percentile(double p)
        {
            var sorted = _times.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
        }

        public void Report() =>
            Console.WriteLine($"{name}: n={_times.Count} p10 {Percentile(0.1):F1} / p50 {Percentile(0.5):F1} / p90 {Percentile(0.9):F1} / p99 {Percentile(0.99):F1} µs, "
                + $"mean {_times.Average():F1} µs, {_allocated / (double)_count / 1024:F1} KB allocated per decision");
    }
}
