using Parma.Agent.Hosting;
using Parma.Agent.Protocol;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;

namespace Parma.Benchmarks.Agent;

/// <summary>A group of <c>containers</c> app containers from the example images, its policy, and an agent serving it on a Unix socket.</summary>
internal sealed class AgentBenchSetup : IAsyncDisposable
{
    private readonly string _work;
    private readonly TextWriter _audit;

    private AgentBenchSetup(string work, PolicySettings settings, PodPlan plan, string policyText, AgentHost host, AgentClient client, TextWriter audit)
    {
        _work = work;
        _audit = audit;
        Settings = settings;
        Plan = plan;
        PolicyText = policyText;
        Host = host;
        Client = client;
    }

    public PolicySettings Settings { get; }

    public PodPlan Plan { get; }

    public string PolicyText { get; }

    public AgentHost Host { get; }

    public AgentClient Client { get; }

    public KataHostSimulator Simulator => new(Settings, Plan);

    public ContainerPlan App => Plan.Containers.First(c => c.Role != ContainerRole.Pause);

    public static async Task<AgentBenchSetup> StartAsync(int containers)
    {
        var work = Directory.CreateTempSubdirectory("parma-bench-agent-").FullName;
        var (settings, plan, policyText) = await GenerateAsync(containers, work);
        var policyPath = Path.Combine(work, "policy.rego");
        await File.WriteAllTextAsync(policyPath, policyText);
        var socket = Path.Combine(work, "agent.sock");
        var audit = new StreamWriter(Path.Combine(work, "audit.jsonl"));
        var host = await StartAgentAsync(socket, policyPath, policyText, audit);
        return new AgentBenchSetup(work, settings, plan, policyText, host, await AgentClient.ConnectAsync(socket), audit);
    }

    /// <summary>An agent as `parma agent serve --audit FILE` runs it (every decision's audit line is written and flushed), with a backend that carries nothing out.</summary>
    public static Task<AgentHost> StartAgentAsync(string socket, string policyPath, string policyText, TextWriter? audit = null) => AgentHost.StartAsync(new AgentHostOptions
    {
        Address = socket,
        PolicyPath = policyPath,
        ReportProvider = ReportProviderChoice.Create("dev", Parma.Policy.Output.HostData.OfPolicy(policyText)),
        Backend = new DecisionOnlyBackend(),
        AuditWriter = audit ?? TextWriter.Null,
    });

    /// <summary>The plan and policy of a Deployment with <paramref name="containers"/> app containers from the example images.</summary>
    public static async Task<(PolicySettings Settings, PodPlan Plan, string PolicyText)> GenerateAsync(int containers, string work)
    {
        var settings = PolicySettingsLoader.Defaults();
        using var resolver = new ImageResolver(cache: new LayerCache(Path.Combine(work, "cache")));
        var images = new ResolvingImageFactsSource(resolver, [ExamplesDirectory()]);
        var specs = string.Join('\n', Enumerable.Range(0, containers).Select(i => $$"""
                  - name: c{{i}}
                    image: {{(i % 2 == 0 ? "registry.example/parma/hello:1.0" : "registry.example/parma/log-shipper:2.1")}}
                    command: ["/bin/sh", "-c", "exec sleep 3600"]
                    env:
                      - name: INDEX
                        value: "{{i}}"
                    readinessProbe:
                      exec:
                        command: ["/app/healthy.sh"]
            """));
        var manifests = ManifestSet.Parse($"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bench\nspec:\n  template:\n    spec:\n      containers:\n{specs}\n", "bench.yaml");
        var plan = await new PolicyPipeline(settings, images).PlanAsync(manifests.Workloads[0], manifests, new GroupPolicyOptions());
        return (settings, plan, new PolicyGenerator(settings, images).Render(plan).PolicyText);
    }

    /// <summary>Sandbox, pause and the first app container created and started, as before probes run.</summary>
    public async Task StartPodAsync()
    {
        foreach (var request in Simulator.StartPod().Take(5))
        {
            await Client.SendAsync(request.Kind, request.Input);
        }
    }

    public static string ExamplesDirectory()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "images");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("examples/images not found above the benchmark's directory or the current directory.");
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Host.DisposeAsync();
        await _audit.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}
