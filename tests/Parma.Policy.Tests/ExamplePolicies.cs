using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Testing;

namespace Parma.Policy.Tests;

/// <summary>Generates the policies of examples/ once per test run, through the real OCI layout in examples/images.</summary>
public sealed class ExamplePolicies : IAsyncLifetime, IDisposable
{
    private readonly string _cacheDirectory = Directory.CreateTempSubdirectory("parma-layer-cache-").FullName;
    private ImageResolver? _resolver;

    public PolicySettings Settings { get; } = PolicySettingsLoader.Defaults();

    public IImageFactsSource Images { get; private set; } = null!;

    public GeneratedPolicy Group { get; private set; } = null!;

    public PodPlan GroupPlan { get; private set; } = null!;

    public Enforcement.PolicyEngine GroupEngine => _groupEngine ??= Enforcement.PolicyEngine.Load(Group.PolicyText);

    private Enforcement.PolicyEngine? _groupEngine;

    public GeneratedPolicy Deployment { get; private set; } = null!;

    public PodPlan DeploymentPlan { get; private set; } = null!;

    public static string ExamplePath(string name) => RepoPaths.InRepo("examples", name);

    public async Task InitializeAsync()
    {
        _resolver = new ImageResolver(cache: new LayerCache(_cacheDirectory));
        Images = new ResolvingImageFactsSource(_resolver, [ExamplePath("images")]);
        (Group, GroupPlan) = await GenerateAsync("confidential-pod-group.yaml");
        (Deployment, DeploymentPlan) = await GenerateAsync("deployment.yaml");
    }

    public async Task<(GeneratedPolicy Policy, PodPlan Plan)> GenerateAsync(string example, GroupPolicyOptions? options = null) =>
        await GenerateFromTextAsync(await File.ReadAllTextAsync(ExamplePath(example)), example, options);

    /// <summary>The policy of a manifest given as text, with the example images.</summary>
    public async Task<(GeneratedPolicy Policy, PodPlan Plan)> GenerateFromTextAsync(string manifest, string name, GroupPolicyOptions? options = null)
    {
        var manifests = ManifestSet.Parse(manifest, name);
        var workload = manifests.Workloads.Single();
        var plan = await new PolicyPipeline(Settings, Images).PlanAsync(workload, manifests, options ?? new GroupPolicyOptions());
        return (new PolicyGenerator(Settings, Images).Render(plan), plan);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _resolver?.Dispose();
        Directory.Delete(_cacheDirectory, recursive: true);
    }
}
