using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;
using Parma.Policy.Simulation.Attacks;

namespace Parma.Policy.Tests.Attacks;

/// <summary>A generated policy, the pod's simulated life (with its network) and the attack corpus on it.</summary>
public sealed record AttackTarget(string Name, GeneratedPolicy Policy, PodPlan Plan, IReadOnlyList<AgentRequest> Life, IReadOnlyList<HostAttack> Attacks)
{
    public IReadOnlyList<TraceCase> Trace => HostAttacks.Interleave(Life, Attacks);

    /// <summary>The policy_data part of the policy text (everything after the framework).</summary>
    public string PolicyDataText => Policy.PolicyText[Policy.PolicyText.IndexOf("\npolicy_data := ", StringComparison.Ordinal)..];
}

/// <summary>
/// The policies the attack corpus runs against: the two examples as they are; the group with every
/// switch and option open (standard I/O, diagnostics, terminals, an exec pattern rule, a loose copy
/// pattern, a resource limit, an fsGroup and a second volume), so that checks behind those reach
/// something; and the Deployment without layer verification, with a hostname of its own, a declared
/// exec command (no terminal) and container stats switched off.
/// </summary>
public sealed class AttackTargets : IAsyncLifetime, IDisposable
{
    /// <summary>The open group's exec pattern rule, and an argument list it allows.</summary>
    public static readonly IReadOnlyList<string> EchoRule = ["/bin/echo", "[a-z]+"];

    public static readonly IReadOnlyList<string> EchoExample = ["/bin/echo", "hello"];

    public static readonly string[] Names = ["group", "deployment", "group-open", "deployment-unverified"];

    /// <summary>The two targets that between them reach every check (the mutation test compiles each mutant for them only).</summary>
    public static readonly string[] Reaching = ["group-open", "deployment-unverified"];

    private readonly string _cache = Directory.CreateTempSubdirectory("parma-attack-cache-").FullName;
    private ImageResolver? _resolver;
    private readonly Dictionary<string, AttackTarget> _targets = new(StringComparer.Ordinal);

    public PolicySettings Settings { get; } = PolicySettingsLoader.Defaults();

    public AttackTarget this[string name] => _targets[name];

    public IEnumerable<AttackTarget> All => Names.Select(n => _targets[n]);

    public async Task InitializeAsync()
    {
        _resolver = new ImageResolver(cache: new LayerCache(_cache));
        var images = new ResolvingImageFactsSource(_resolver, [ExamplePolicies.ExamplePath("images")]);
        var open = new GroupPolicyOptions { ExecTerminal = true, ExecRegex = [EchoRule] };
        var openSettings = PolicySettingsLoader.Parse(
            PolicySettingsLoader.ApplyDropIn(PolicySettingsLoader.DefaultsJson(), """
                [{"op": "replace", "path": "/copy_file_regex", "value": ["^/run/kata-containers/shared/containers/.+$"]},
                 {"op": "replace", "path": "/runtime/rlimits", "value": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1024}]},
                 {"op": "replace", "path": "/request_defaults/ResizeVolumeRequest", "value": true}]
                """, "open.json"),
            "open.json");
        var group = await File.ReadAllTextAsync(ExamplePolicies.ExamplePath("confidential-pod-group.yaml"));
        var deployment = await File.ReadAllTextAsync(ExamplePolicies.ExamplePath("deployment.yaml"));
        var openGroup = group
            .Replace("stdio: false", "stdio: true", StringComparison.Ordinal)
            .Replace("diagnostics: false", "diagnostics: true", StringComparison.Ordinal)
            .Replace("      automountServiceAccountToken: false\n", "      automountServiceAccountToken: false\n      securityContext:\n        fsGroup: 2000\n", StringComparison.Ordinal)
            .Replace("            - name: scratch\n              mountPath: /scratch\n", "            - name: scratch\n              mountPath: /scratch\n            - name: cache\n              mountPath: /cache\n", StringComparison.Ordinal)
            .Replace("      volumes:\n", "      volumes:\n        - name: cache\n          emptyDir:\n            medium: Memory\n", StringComparison.Ordinal);
        var namedHost = deployment
            .Replace("      runtimeClassName: kata-qemu-snp\n", "      runtimeClassName: kata-qemu-snp\n      hostname: web-host\n      volumes:\n        - name: tmp\n          emptyDir: {}\n", StringComparison.Ordinal)
            .Replace("          args: [\"--port\", \"$(PORT)\"]\n", "          args: [\"--port\", \"$(PORT)\"]\n          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n", StringComparison.Ordinal);
        await AddAsync("group", group, new GroupPolicyOptions(), Settings, images, []);
        await AddAsync("deployment", deployment, new GroupPolicyOptions(), Settings, images, []);
        await AddAsync("group-open", openGroup, open, openSettings, images, [EchoExample]);
        var noStats = PolicySettingsLoader.Parse(
            PolicySettingsLoader.ApplyDropIn(PolicySettingsLoader.DefaultsJson(), """[{"op": "replace", "path": "/request_defaults/StatsContainerRequest", "value": false}, {"op": "replace", "path": "/request_defaults/TtyWinResizeRequest", "value": false}]""", "no-stats.json"),
            "no-stats.json");
        await AddAsync("deployment-unverified", namedHost, new GroupPolicyOptions { VerifyLayers = false, ExecCommands = [["/bin/cat", "/proc/loadavg"]], EmptyDirMode = EmptyDirMode.BlockPlain }, noStats, images, []);
    }

    private async Task AddAsync(string name, string yaml, GroupPolicyOptions options, PolicySettings settings, IImageFactsSource images, IReadOnlyList<IReadOnlyList<string>> patternExamples)
    {
        var manifests = ManifestSet.Parse(yaml, name + ".yaml");
        var workload = manifests.Workloads.Single();
        var plan = await new PolicyPipeline(settings, images).PlanAsync(workload, manifests, options);
        var policy = new PolicyGenerator(settings, images).Render(plan);
        var host = new KataHostSimulator(settings, plan);
        var life = host.PodLife(network: true);
        _targets[name] = new AttackTarget(name, policy, plan, life, HostAttacks.For(host, plan, policy.PolicyData, life, patternExamples));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _resolver?.Dispose();
        Directory.Delete(_cache, recursive: true);
    }
}
