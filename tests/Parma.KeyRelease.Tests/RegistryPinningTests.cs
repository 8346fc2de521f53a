using Parma.KeyRelease.Configuration;
using Parma.Testing.Registry;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// Image facts from a real registry (docker-registry on loopback). The registry is untrusted: a moved tag must not change
/// what the verifier approves, so every reference is pinned by digest and a mismatch stops the load naming both digests.
/// </summary>
public sealed class RegistryPinningTests : IClassFixture<DevelopmentAuthorityFixture>, IAsyncLifetime
{
    private const string HelloTag = "registry.example/parma/hello:1.0";
    private const string LogShipperTag = "registry.example/parma/log-shipper:2.1";
    private readonly TenantDirectory _tenant;
    private LocalRegistry _registry = null!;

    public RegistryPinningTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public async Task InitializeAsync() => _registry = await LocalRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _tenant.Dispose();
    }

    private object Generator(Dictionary<string, string> digests) =>
        new { imageLayouts = new[] { TenantDirectory.ImageLayout }, imageDigests = digests, insecureRegistries = new[] { _registry.Host } };

    private static object Policy => new { manifests = new[] { "groups/hello.yaml" }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } };

    [Fact]
    public async Task A_tag_pinned_in_the_configuration_is_resolved_from_the_registry_and_a_moved_tag_stops_the_load()
    {
        var pushed = await _registry.PushAsync(TenantDirectory.ImageLayout, HelloTag, "parma/hello", "v1");
        var reference = $"{_registry.Host}/parma/hello:v1";
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup.Replace(HelloTag, reference, StringComparison.Ordinal));
        var digests = TenantDirectory.ExampleDigests();
        digests[reference] = pushed;
        _tenant.WriteConfig(Policy, Generator(digests));

        var approved = (await KeyCatalogLoader.LoadAsync(_tenant.ConfigPath)).Keys.Single().HostData.Single();
        approved.Source.Should().EndWith("groups/hello.yaml: ConfidentialPodGroup demo/hello");

        // Whoever can push to the registry moves the tag to another image.
        var moved = await _registry.PushAsync(TenantDirectory.ImageLayout, LogShipperTag, "parma/hello", "v1");
        moved.Should().NotBe(pushed);
        var act = () => KeyCatalogLoader.LoadAsync(_tenant.ConfigPath);
        (await act.Should().ThrowAsync<KeyReleaseConfigurationException>()).Which.Message.Should()
            .Contain("groups/hello.yaml").And.Contain($"image {reference}")
            .And.Contain($"it resolved to {moved}, but the configuration pins it to {pushed}");
    }

    [Fact]
    public async Task A_reference_pinned_by_digest_in_the_manifest_needs_no_entry_and_yields_the_same_policy()
    {
        var pushed = await _registry.PushAsync(TenantDirectory.ImageLayout, HelloTag, "parma/hello", "v1");
        var byTag = $"{_registry.Host}/parma/hello:v1";
        var byDigest = $"{_registry.Host}/parma/hello@{pushed}";

        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup.Replace(HelloTag, byDigest, StringComparison.Ordinal));
        _tenant.WriteConfig(Policy, Generator(TenantDirectory.ExampleDigests()));
        var fromDigest = (await KeyCatalogLoader.LoadAsync(_tenant.ConfigPath)).Keys.Single().HostData.Single().Hex;

        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup.Replace(HelloTag, byTag, StringComparison.Ordinal));
        var digests = TenantDirectory.ExampleDigests();
        digests[byTag] = pushed;
        _tenant.WriteConfig(Policy, Generator(digests));
        var fromPinnedTag = (await KeyCatalogLoader.LoadAsync(_tenant.ConfigPath)).Keys.Single().HostData.Single().Hex;

        fromPinnedTag.Should().Be(fromDigest, "the policy names the image by digest either way");
    }
}
