using System.Formats.Tar;
using Parma.Oci.Digests;
using Parma.Oci.Resolution;
using Parma.Oci.Tests.Registry;
using Parma.Oci.Tests.Support;
using Parma.Testing;

namespace Parma.Oci.Tests.Offline;

[Collection(RegistryCollection.Name)]
public class OfflineSourceTests(RegistryFixture fixture)
{
    [Fact]
    public async Task Oci_layout_directory_resolves_by_tag()
    {
        using var resolver = new ImageResolver();

        var image = await resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:app");

        image.ManifestDigest.ToString().Should().Be(fixture.AppDigest, "skopeo pushed the layout's manifest unchanged");
        image.Layers.Should().HaveCount(2);
        image.Layers[0].RootHash.Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public async Task Oci_layout_and_registry_give_the_same_root_hashes()
    {
        using var resolver = new ImageResolver(new Parma.Oci.Registry.RegistryClientOptions { InsecureRegistries = [fixture.Registry.Host] });

        var offline = await resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:app");
        var online = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1");

        offline.Layers.Select(l => l.RootHash).Should().Equal(online.Layers.Select(l => l.RootHash));
    }

    [Fact]
    public async Task Oci_layout_index_selects_the_platform()
    {
        using var resolver = new ImageResolver();

        var image = await resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:multi", new ResolveOptions { ComputeLayerHashes = false });

        image.ManifestDigest.ToString().Should().Be(fixture.Amd64.Digest);
    }

    [Fact]
    public async Task Oci_layout_unknown_tag_lists_the_tags()
    {
        using var resolver = new ImageResolver();

        var act = () => resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:nope");

        await act.Should().ThrowAsync<KeyNotFoundException>().WithMessage("*'nope'*app*multi*");
    }

    [Fact]
    public async Task Oci_archive_resolves_like_the_directory()
    {
        using var temp = new TempDirectory();
        var archive = temp.File("image.tar");
        await TarFile.CreateFromDirectoryAsync(fixture.LayoutDirectory, archive, includeBaseDirectory: false);
        using var resolver = new ImageResolver();

        var fromArchive = await resolver.ResolveAsync($"oci-archive:{archive}:app");
        var fromDirectory = await resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:app");

        fromArchive.ManifestDigest.Should().Be(fromDirectory.ManifestDigest);
        fromArchive.Layers.Select(l => l.RootHash).Should().Equal(fromDirectory.Layers.Select(l => l.RootHash));
    }

    [Fact]
    public async Task Docker_save_archive_resolves_with_the_same_layers()
    {
        using var temp = new TempDirectory();
        var archive = temp.File("docker.tar");
        (await ProcessRunner.RunAsync(ProcessRunner.Require("skopeo"),
            ["copy", "--quiet", $"oci:{fixture.LayoutDirectory}:app", $"docker-archive:{archive}:team/app:v1"],
            environment: new Dictionary<string, string?> { ["HOME"] = temp.Path })).EnsureSuccess("skopeo copy to docker-archive");
        using var resolver = new ImageResolver();

        var image = await resolver.ResolveAsync($"docker-archive:{archive}");
        var reference = await resolver.ResolveAsync($"oci:{fixture.LayoutDirectory}:app");

        image.Config.Entrypoint.Should().Equal("/app/run.sh");
        image.Layers.Select(l => l.DiffId).Should().Equal(reference.Layers.Select(l => l.DiffId));
        image.Layers.Select(l => l.RootHash).Should().Equal(reference.Layers.Select(l => l.RootHash));
    }

    [Fact]
    public async Task A_tampered_layout_blob_is_rejected()
    {
        using var temp = new TempDirectory();
        CopyDirectory(fixture.LayoutDirectory, temp.Path);
        using var resolver = new ImageResolver();
        var image = await resolver.ResolveAsync($"oci:{temp.Path}:app", new ResolveOptions { ComputeLayerHashes = false });
        var blob = Path.Combine(temp.Path, "blobs", "sha256", image.ConfigDigest.Hex);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);

        var act = () => resolver.ResolveAsync($"oci:{temp.Path}:app", new ResolveOptions { ComputeLayerHashes = false });

        (await act.Should().ThrowAsync<DigestMismatchException>()).Which.Expected.Should().Be(image.ConfigDigest);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
