using System.Security.Cryptography;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Oci.Verity;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// A one-container group built from the example image, with commands this machine can run, its
/// generated policy, and the host's tardev layer files (tar + tarfs index, as the kata snapshotter
/// writes them) under a layer root, so that the agent can recompute their root hashes.
/// </summary>
public sealed class ProbeGroup : IAsyncLifetime, IDisposable
{
    public const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: probe
          namespace: default
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: probe
          template:
            metadata:
              labels:
                app: probe
            spec:
              runtimeClassName: kata-qemu-snp
              containers:
                - name: app
                  image: registry.example/parma/hello:1.0
                  command: ["/bin/sh", "-c", "echo started; exec sleep 30"]
                  env:
                    - name: GREETING
                      value: bonjour
                    - name: API_TOKEN
                      value: s3cr3t-token-value
                  readinessProbe:
                    exec:
                      command: ["/bin/sh", "-c", "echo probe-ok"]
        """;

    public const string Secret = "s3cr3t-token-value";

    private readonly string _work = Directory.CreateTempSubdirectory("parma-agent-tests-").FullName;
    private readonly string _manifest;
    private readonly GroupPolicyOptions _options;
    private ImageResolver? _resolver;

    public ProbeGroup()
        : this(Manifest, new GroupPolicyOptions(), PolicySettingsLoader.Defaults())
    {
    }

    /// <summary>Another group of the same image: its own manifest, group options and policy settings.</summary>
    internal ProbeGroup(string manifest, GroupPolicyOptions options, PolicySettings settings)
    {
        _manifest = manifest;
        _options = options;
        Settings = settings;
    }

    public PolicySettings Settings { get; }

    public GeneratedPolicy Policy { get; private set; } = null!;

    public PodPlan Plan { get; private set; } = null!;

    public string PolicyPath => Path.Combine(_work, "policy.rego");

    public string LayerRoot => Path.Combine(_work, "layers");

    public string Work => _work;

    public ContainerPlan App => Plan.Containers.Single(c => c.Name == "app");

    public ContainerPlan Pause => Plan.Containers.Single(c => c.Role == ContainerRole.Pause);

    public async Task InitializeAsync()
    {
        var images = RepoPaths.InRepo("examples", "images");
        _resolver = new ImageResolver(cache: new LayerCache(Path.Combine(_work, "cache")));
        var facts = new ResolvingImageFactsSource(_resolver, [images]);
        var manifests = ManifestSet.Parse(_manifest, "probe.yaml");
        Plan = await new PolicyPipeline(Settings, facts).PlanAsync(manifests.Workloads.Single(), manifests, _options);
        Policy = new PolicyGenerator(Settings, facts).Render(Plan);
        await File.WriteAllTextAsync(PolicyPath, Policy.PolicyText);
        await WriteLayerFilesAsync(images);
    }

    /// <summary>Where the layer file of a tardev layer id lives on the (simulated) host.</summary>
    public string LayerFile(string layerId) => Path.Combine(LayerRoot, Settings.Runtime.LayerSrcPrefix.TrimStart('/'), layerId);

    private async Task WriteLayerFilesAsync(string images)
    {
        var byRootHash = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(images, "blobs", "sha256")))
        {
            try
            {
                await using var input = File.OpenRead(blob);
                using var image = new MemoryStream();
                await TarfsLayerHasher.WriteTardevImageAsync(input, compression: null, image);
                byRootHash[VerityHasher.HashBytes(image.ToArray()).Hex] = image.ToArray();
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException or NotSupportedException)
            {
                // Not a layer (an index, a manifest or a config).
            }
        }

        foreach (var container in Plan.Containers.Where(c => c.VerifyLayers))
        {
            foreach (var layer in LayerIds.TopMostFirst(container.Image))
            {
                var path = LayerFile(layer.Id);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, byRootHash.TryGetValue(layer.RootHash, out var bytes)
                    ? bytes
                    : throw new InvalidOperationException($"no blob in {images} has the tardev root hash {layer.RootHash}"));
            }
        }
    }

    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_work, name + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)))).FullName;

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _resolver?.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
