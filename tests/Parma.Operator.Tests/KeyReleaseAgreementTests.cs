using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.KeyRelease.Configuration;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>
/// The tenant's workflow end to end: the same ConfidentialPodGroup manifest is applied to the cluster and kept in the
/// tenant's own key-release configuration. Key release recomputes the host_data from that copy (reading nothing from the
/// cluster) and must arrive at exactly the host_data the operator runs the group's pods under.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class KeyReleaseAgreementTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private readonly string _tenant = Directory.CreateTempSubdirectory("parma-tenant-").FullName;
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await OperatorHarness.StartAsync(images);
        await _harness.StartOperatorAsync();
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        Directory.Delete(_tenant, recursive: true);
    }

    [Fact]
    public async Task Key_release_recomputes_from_the_tenants_manifest_the_host_data_the_operator_runs()
    {
        var manifest = $"""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: payments
              namespace: default
            spec:
              replicas: 1
              policy:
                exec:
                  commands:
                    - ["/bin/sh", "-c", "cat /proc/loadavg"]
              template:
                metadata:
                  labels:
                    app: payments
                spec:
                  containers:
                    - name: app
                      image: {images.Hello}
                      env:
                        - name: GREETING
                          value: bonjour
            """;
        await _harness.Server.CreateManifestsAsync(manifest);
        var group = await _harness.WaitRolledOutAsync("payments", 1);

        await File.WriteAllTextAsync(Path.Combine(_tenant, "payments.yaml"), manifest);
        await File.WriteAllBytesAsync(Path.Combine(_tenant, "db.secret"), [1, 2, 3]);
        var digests = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ImageRegistryFixture.Layout, "index.json")))!["manifests"]!.AsArray()
            .ToDictionary(entry => entry!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>(), entry => entry!["digest"]!.GetValue<string>());
        digests[images.Hello] = images.HelloDigest;
        var config = Path.Combine(_tenant, "config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            keys = new[] { new { id = "db", secretFile = "db.secret", policy = new { manifests = new[] { "payments.yaml" }, allowAnyMeasurement = true } } },
            generator = new { imageLayouts = new[] { ImageRegistryFixture.Layout }, imageDigests = digests, insecureRegistries = new[] { images.Registry.Host } },
        }));

        var approved = (await KeyCatalogLoader.LoadAsync(config)).Keys.Single().HostData.Single();

        approved.Hex.Should().Be(group.Status!.HostData, "the verifier recomputes what the cluster runs, from the tenant's own copy");
    }
}
