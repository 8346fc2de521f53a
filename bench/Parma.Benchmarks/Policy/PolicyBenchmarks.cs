using BenchmarkDotNet.Attributes;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;

namespace Parma.Benchmarks.Policy;

/// <summary>
/// Policy generation for a 10-container pod whose layers are already in the layer cache (images
/// from the examples' OCI layout), and replay of a 10,000-request trace against one session.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private const int TraceLength = 10_000;
    private readonly string _cache = Directory.CreateTempSubdirectory("parma-bench-cache-").FullName;
    private PolicySettings _settings = null!;
    private ImageResolver _resolver = null!;
    private ManifestSet _manifests = null!;
    private PolicyEngine _engine = null!;
    private List<(string Kind, Parma.Rego.Value Input)> _trace = [];

    private static string ExamplesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "images");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("examples/images not found above the benchmark's directory.");
    }

    private IImageFactsSource Images() => new ResolvingImageFactsSource(_resolver, [ExamplesDirectory()]);

    [GlobalSetup]
    public void Setup()
    {
        _settings = PolicySettingsLoader.Defaults();
        _resolver = new ImageResolver(cache: new LayerCache(_cache));
        var containers = string.Join('\n', Enumerable.Range(0, 10).Select(i => $$"""
                  - name: c{{i}}
                    image: {{(i % 2 == 0 ? "registry.example/parma/hello:1.0" : "registry.example/parma/log-shipper:2.1")}}
                    env:
                      - name: INDEX
                        value: "{{i}}"
                    readinessProbe:
                      exec:
                        command: ["/app/healthy.sh"]
            """));
        _manifests = ManifestSet.Parse($"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ten\nspec:\n  template:\n    spec:\n      containers:\n{containers}\n", "ten.yaml");
        var plan = new PolicyPipeline(_settings, Images()).PlanAsync(_manifests.Workloads[0], _manifests, new GroupPolicyOptions()).GetAwaiter().GetResult();
        var policy = new PolicyGenerator(_settings, Images()).Render(plan);
        _engine = PolicyEngine.Load(policy.PolicyText);

        var host = new KataHostSimulator(_settings, plan);
        var life = host.StartPod().Concat(host.RunAndStopPod()).Select(r => (r.Kind, Parma.Rego.Value.FromJson(r.Input.ToJsonString()))).ToList();
        while (_trace.Count < TraceLength)
        {
            _trace.AddRange(life.Take(TraceLength - _trace.Count));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _resolver.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    [Benchmark(Description = "generate: 10-container pod, cached layers")]
    public string Generate() =>
        new PolicyGenerator(_settings, Images()).GenerateAsync(_manifests.Workloads[0], _manifests, new GroupPolicyOptions()).GetAwaiter().GetResult().HostDataHex;

    [Benchmark(Description = "replay: one decision of a 10,000-request trace", OperationsPerInvoke = TraceLength)]
    public int Replay()
    {
        var session = _engine.NewSession();
        var allowed = 0;
        foreach (var (kind, input) in _trace)
        {
            if (session.Decide(kind, input).Allowed)
            {
                allowed++;
            }
        }

        if (allowed != TraceLength)
        {
            throw new InvalidOperationException($"only {allowed} of {TraceLength} requests were allowed");
        }

        return allowed;
    }
}
