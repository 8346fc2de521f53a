using Parma.Testing;
using Parma.Testing.Registry;

namespace Parma.Operator.Tests.Support;

/// <summary>
/// One local docker-registry for the operator tests, holding the example images (examples/images),
/// and one layer cache shared by every operator the tests start.
/// </summary>
public sealed class ImageRegistryFixture : IAsyncLifetime
{
    public const string HelloTag = "registry.example/parma/hello:1.0";
    public const string LogShipperTag = "registry.example/parma/log-shipper:2.1";

    public LocalRegistry Registry { get; private set; } = null!;

    public static string Layout => RepoPaths.InRepo("examples", "images");

    public string LayerCache { get; } = Directory.CreateTempSubdirectory("parma-operator-layers-").FullName;

    /// <summary>127.0.0.1:PORT/parma/hello:v1, the image most tests run.</summary>
    public string Hello => $"{Registry.Host}/parma/hello:v1";

    public string HelloDigest { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Registry = await LocalRegistry.StartAsync();
        HelloDigest = await Registry.PushAsync(Layout, HelloTag, "parma/hello", "v1");
    }

    /// <summary>Pushes the hello (or the log-shipper) image as <paramref name="repository"/>:<paramref name="tag"/>; returns its digest.</summary>
    public Task<string> PushAsync(string repository, string tag, bool logShipper = false) =>
        Registry.PushAsync(Layout, logShipper ? LogShipperTag : HelloTag, repository, tag);

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(LayerCache, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class OperatorCollection : ICollectionFixture<ImageRegistryFixture>
{
    public const string Name = "operator against a local registry";
}
