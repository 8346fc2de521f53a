using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Parma.Api;
using Parma.Kube.Informers;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Benchmarks.Operator;

/// <summary>
/// <c>dotnet run -c Release --project bench/Parma.Benchmarks -- operator-scale [GROUPS] [WORKERS]</c>:
/// the real operator (OperatorApp, no leader election) against the test API server reconciles GROUPS
/// ConfidentialPodGroups of one replica each to ready. Images come from examples/images (offline
/// layout) with a pre-warmed layer cache, so the run measures the operator and the API server, not a
/// registry. Reports groups/s from the first create to the last group Available, and the p50/p99 of
/// the reconcile duration histogram and of each group's create-to-ready time.
/// </summary>
public static class OperatorScaleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var groups = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        var root = FindRepoRoot();
        var work = Directory.CreateTempSubdirectory("parma-operator-scale-").FullName;
        var durations = new List<double>();
        using var listener = ListenToReconciles(durations);

        await using var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync(File.ReadAllText(Path.Combine(root, "crds", ConfidentialPodGroupCrd.FileName)));
        var kubeconfig = Path.Combine(work, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, server.Kubeconfig());
        using var client = Parma.Kube.Client.KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await using var kubelet = new ScaleKubelet(client);

        var app = Parma.Operator.OperatorApp.Build([
            "--kubeconfig", kubeconfig, "--leader-elect", "false", "--http-port", "0", "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--layer-cache", Path.Combine(work, "layers"), "--image-layout", Path.Combine(root, "examples", "images"),
            "--settings", Path.Combine(root, "bench", "Parma.Benchmarks", "Operator", "scale-settings.json"),
        ]);
        await app.StartAsync();
        try
        {
            // Warm-up: one group fills the layer cache and the resolved-image cache.
            await CreateGroupAsync(client, "warmup");
            await WaitReadyAsync(client, ["warmup"], TimeSpan.FromMinutes(2));
            lock (durations)
            {
                durations.Clear();
            }

            var names = Enumerable.Range(0, groups).Select(i => $"g{i:D4}").ToList();
            var created = new Dictionary<string, long>();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) =>
            {
                await CreateGroupAsync(client, name);
                lock (created)
                {
                    created[name] = clock.Elapsed.Ticks;
                }
            });
            var createdAll = clock.Elapsed;
            var readyAt = await WaitReadyAsync(client, names, TimeSpan.FromMinutes(30), clock);
            var total = clock.Elapsed;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            var latencies = names.Select(n => TimeSpan.FromTicks(readyAt[n] - created[n]).TotalSeconds).Order().ToList();
            List<double> reconciles;
            lock (durations)
            {
                reconciles = [.. durations.Order()];
            }

            Console.WriteLine($"groups: {groups}, workers: {workers}, cores: {Environment.ProcessorCount}, load average: {LoadAverage()}");
            Console.WriteLine($"created all in {createdAll.TotalSeconds:F1} s; all Available after {total.TotalSeconds:F1} s => {groups / total.TotalSeconds:F1} groups/s");
            Console.WriteLine($"reconciles: {reconciles.Count}; duration p50 {Percentile(reconciles, 0.50) * 1000:F1} ms, p99 {Percentile(reconciles, 0.99) * 1000:F1} ms, max {reconciles[^1] * 1000:F1} ms");
            Console.WriteLine($"create-to-Available per group: p50 {Percentile(latencies, 0.50):F2} s, p99 {Percentile(latencies, 0.99):F2} s");
            // On a shared machine the wall clock follows the load; the CPU this process burnt does not.
            Console.WriteLine($"process CPU: {cpu.TotalSeconds:F1} s => {cpu.TotalMilliseconds / groups:F1} ms per group (API server, operator and kubelet stand-in together)");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static Task CreateGroupAsync(IKubernetes client, string name) =>
        client.CreateAsync(new ConfidentialPodGroup
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new ConfidentialPodGroupSpec
            {
                Replicas = 1,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "hello", Image = "registry.example/parma/hello:1.0" }] },
                },
            },
        });

    /// <summary>Watches the groups until each is Available with its pod ready; returns when each was first seen so.</summary>
    /// <remarks>A watch rather than polling, so that waiting costs the process nothing between changes.</remarks>
    private static async Task<Dictionary<string, long>> WaitReadyAsync(IKubernetes client, IReadOnlyList<string> names, TimeSpan timeout, Stopwatch? clock = null)
    {
        var wanted = new HashSet<string>(names);
        var readyAt = new Dictionary<string, long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Seen(ConfidentialPodGroup group)
        {
            if (group.Status?.ReadyReplicas == 1 && ConditionList.IsTrue(group.Status.Conditions, GroupConditions.Available))
            {
                lock (readyAt)
                {
                    if (wanted.Contains(group.Metadata.Name!) && readyAt.TryAdd(group.Metadata.Name!, clock?.Elapsed.Ticks ?? 0) && readyAt.Count == wanted.Count)
                    {
                        done.TrySetResult();
                    }
                }
            }

            return Task.CompletedTask;
        }

        await using var informer = new Informer<ConfidentialPodGroup>(client, "default");
        informer.OnAdd((g, _) => Seen(g)).OnUpdate((_, g, _) => Seen(g));
        informer.Start();
        var deadline = DateTime.UtcNow + timeout;
        while (!done.Task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{wanted.Count - readyAt.Count} groups were not ready in time.");
            }

            await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(15)));
            if (clock is not null && !done.Task.IsCompleted)
            {
                int count;
                lock (readyAt)
                {
                    count = readyAt.Count;
                }

                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: {count} of {names.Count} groups ready (load average {LoadAverage()}); reconcile results: {Outcomes()}");
            }
        }

        return readyAt;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Results = new();

    private static string Outcomes() => string.Join(", ", Results.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static MeterListener ListenToReconciles(List<double> durations)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Parma.Operator" && instrument.Name is "parma_operator_reconcile_duration_seconds" or "parma_operator_reconcile_total" or "parma_operator_reconcile_errors_total")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (durations)
            {
                durations.Add(value);
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                Results.AddOrUpdate($"{instrument.Name[15..]}:{tag.Value}", value, (_, n) => n + value);
            }
        });
        listener.Start();
        return listener;
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParmaOperator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ParmaOperator.sln not found above the benchmark's directory.");
    }
}
