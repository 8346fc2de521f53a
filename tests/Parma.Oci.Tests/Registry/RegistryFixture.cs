using Parma.Oci.Tests.Support;
using Parma.Testing.Registry;

namespace Parma.Oci.Tests.Registry;

/// <summary>One local docker-registry for the registry tests, loaded with test images through skopeo.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public LocalRegistry Registry { get; private set; } = null!;

    public string LayoutDirectory { get; } = Directory.CreateTempSubdirectory("parma-layout-").FullName;

    public byte[] BaseLayer { get; } = TestTars.Rich();

    public byte[] AppLayer { get; } = TestTars.Build(("app/run.sh", "#!/bin/sh\necho hi\n"), ("app/data", new string('d', 9000)));

    public byte[] CorruptibleLayer { get; } = TestTars.Build(("victim", new string('v', 20000)));

    public string AppDigest { get; private set; } = string.Empty;

    public string IndexDigest { get; private set; } = string.Empty;

    /// <summary>
    /// Layers of an image that skopeo pushes with zstd compression. They are used by no other image: skopeo
    /// reuses a blob the registry already has (e.g. a gzip one) instead of recompressing it.
    /// </summary>
    public byte[][] ZstdLayers { get; } =
    [
        TestTars.Build(("zstd/etc/os-release", "ID=zstd\n"), ("zstd/data", new string('z', 70000))),
        TestTars.Build(("zstd/bin/tool", "#!/bin/sh\necho zstd\n"), ("zstd/big", string.Concat(Enumerable.Range(0, 20000).Select(i => $"{i},")))),
    ];

    public string ZstdDigest { get; private set; } = string.Empty;

    public ImageDescriptor Amd64 { get; private set; } = null!;

    public ImageDescriptor Arm64 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Registry = await LocalRegistry.StartAsync();
        var layout = new OciLayoutBuilder();
        layout.AddImage(new OciTestImage
        {
            Layers = [BaseLayer, AppLayer],
            Entrypoint = ["/app/run.sh"],
            Cmd = ["--serve"],
            Env = ["PATH=/usr/bin:/bin", "MODE=test"],
            WorkingDir = "/app",
            User = "1000:1000",
            Volumes = ["/data"],
        }, tag: "app");
        Amd64 = layout.AddImage(new OciTestImage { Layers = [BaseLayer], Cmd = ["amd64"] });
        Arm64 = layout.AddImage(new OciTestImage { Layers = [AppLayer], Architecture = "arm64", Variant = "v8", Cmd = ["arm64"] });
        layout.AddIndex("multi", Arm64, Amd64);
        layout.AddImage(new OciTestImage { Layers = [CorruptibleLayer] }, tag: "victim");
        layout.AddImage(new OciTestImage { Layers = ZstdLayers, Compress = false }, tag: "zstd");
        layout.WriteTo(LayoutDirectory);

        AppDigest = await Registry.PushAsync(LayoutDirectory, "app", "team/app", "v1");
        ZstdDigest = await Registry.PushAsync(LayoutDirectory, "zstd", "team/zstd", "v1", compressFormat: "zstd");
        IndexDigest = await Registry.PushAsync(LayoutDirectory, "multi", "multi", "v1", allPlatforms: true);
        await Registry.PushAsync(LayoutDirectory, "victim", "victim", "v1");
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Directory.Delete(LayoutDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "local registry";
}
