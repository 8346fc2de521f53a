using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Model;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Oci.Tests.Support;
using Parma.Testing.Registry;

namespace Parma.Oci.Tests.Registry;

[Collection(RegistryCollection.Name)]
public class RegistryResolveTests(RegistryFixture fixture)
{
    private ImageResolver Resolver(IRegistryCredentialProvider? credentials = null, params string[] insecure) =>
        new(new RegistryClientOptions
        {
            InsecureRegistries = insecure.Length == 0 ? [fixture.Registry.Host] : insecure,
            Credentials = credentials ?? DockerConfigCredentials.Empty,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        });

    [Fact]
    public async Task Resolves_an_image_pushed_with_skopeo()
    {
        using var resolver = Resolver();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1");

        image.ManifestDigest.ToString().Should().Be(fixture.AppDigest);
        image.Platform.ToString().Should().Be("linux/amd64");
        image.Config.Entrypoint.Should().Equal("/app/run.sh");
        image.Config.Cmd.Should().Equal("--serve");
        image.Config.Env.Should().Equal("PATH=/usr/bin:/bin", "MODE=test");
        image.Config.WorkingDir.Should().Be("/app");
        image.Config.User.Should().Be("1000:1000");
        image.Config.Volumes.Should().Equal("/data");
        image.Layers.Should().HaveCount(2);
        image.Layers[0].DiffId.Should().Be(Digest.Sha256Of(fixture.BaseLayer).ToString());
        image.Layers[1].DiffId.Should().Be(Digest.Sha256Of(fixture.AppLayer).ToString());
        image.Config.ChainIds[0].Should().Be(image.Layers[0].DiffId);
        image.Config.ChainIds[1].Should().StartWith("sha256:").And.NotBe(image.Layers[1].DiffId);
    }

    [Fact]
    public async Task Layer_root_hashes_equal_veritysetup_on_the_tardev_image()
    {
        using var resolver = Resolver();
        using var temp = new TempDirectory();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1");

        var imagePath = temp.File("layer0.img");
        await using (var output = File.Create(imagePath))
        {
            await TarfsLayerHasher.WriteTardevImageAsync(new MemoryStream(fixture.BaseLayer), LayerCompression.None, output);
        }

        image.Layers[0].RootHash.Should().Be(await VeritySetup.RootHashAsync(imagePath));
        image.Layers[0].HashFormat.Should().Be(LayerHashFormat.Tarfs);
    }

    [Fact]
    public async Task A_zstd_image_pushed_by_skopeo_is_hashed_like_a_gzip_one()
    {
        using var resolver = Resolver();
        using var temp = new TempDirectory();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/zstd:v1");

        image.ManifestDigest.ToString().Should().Be(fixture.ZstdDigest);
        image.Layers.Should().HaveCount(2).And.OnlyContain(l => l.MediaType == MediaTypes.OciLayerZstd, "skopeo compressed the layers with zstd");
        for (var i = 0; i < fixture.ZstdLayers.Length; i++)
        {
            var tar = fixture.ZstdLayers[i];
            image.Layers[i].DiffId.Should().Be(Digest.Sha256Of(tar).ToString());
            var imagePath = temp.File($"zstd-layer{i}.img");
            await using (var output = File.Create(imagePath))
            {
                await TarfsLayerHasher.WriteTardevImageAsync(new MemoryStream(tar), LayerCompression.None, output);
            }

            image.Layers[i].RootHash.Should().Be(await VeritySetup.RootHashAsync(imagePath));
        }
    }

    [Fact]
    public async Task Resolving_by_digest_gives_the_same_image()
    {
        using var resolver = Resolver();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app@{fixture.AppDigest}", new ResolveOptions { ComputeLayerHashes = false });

        image.ManifestDigest.ToString().Should().Be(fixture.AppDigest);
        image.Layers.Should().OnlyContain(l => l.RootHash == null);
    }

    [Fact]
    public async Task Multi_platform_index_selects_linux_amd64_by_default()
    {
        using var resolver = Resolver();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/multi:v1", new ResolveOptions { ComputeLayerHashes = false });

        image.IndexDigest!.ToString().Should().Be(fixture.IndexDigest);
        image.ManifestDigest.ToString().Should().Be(fixture.Amd64.Digest);
        image.Config.Cmd.Should().Equal("amd64");
    }

    [Fact]
    public async Task Multi_platform_index_selects_a_configured_platform()
    {
        using var resolver = Resolver();

        var image = await resolver.ResolveAsync($"{fixture.Registry.Host}/multi:v1",
            new ResolveOptions { Platform = Platform.Parse("linux/arm64"), ComputeLayerHashes = false });

        image.ManifestDigest.ToString().Should().Be(fixture.Arm64.Digest);
        image.Platform.ToString().Should().Be("linux/arm64/v8");
    }

    [Fact]
    public async Task A_platform_missing_from_the_index_is_a_clear_error()
    {
        using var resolver = Resolver();

        var act = () => resolver.ResolveAsync($"{fixture.Registry.Host}/multi:v1", new ResolveOptions { Platform = Platform.Parse("linux/s390x") });

        await act.Should().ThrowAsync<KeyNotFoundException>().WithMessage("*linux/s390x*linux/arm64/v8*linux/amd64*");
    }

    [Fact]
    public async Task A_missing_tag_is_a_clear_error()
    {
        using var resolver = Resolver();

        var act = () => resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:nope");

        (await act.Should().ThrowAsync<RegistryException>()).Which.Message.Should().Contain("'nope'").And.Contain("team/app").And.Contain("not found");
    }

    [Fact]
    public async Task A_corrupted_blob_is_rejected()
    {
        using var resolver = Resolver();
        var before = await resolver.ResolveAsync($"{fixture.Registry.Host}/victim:v1", new ResolveOptions { ComputeLayerHashes = false });
        var blob = fixture.Registry.BlobPath(before.Layers[0].Digest.ToString());
        var original = await File.ReadAllBytesAsync(blob);
        var tampered = (byte[])original.Clone();
        tampered[tampered.Length / 2] ^= 0x55;
        try
        {
            await File.WriteAllBytesAsync(blob, tampered);

            var act = () => resolver.ResolveAsync($"{fixture.Registry.Host}/victim:v1");

            var error = (await act.Should().ThrowAsync<DigestMismatchException>()).Which;
            error.Expected.Should().Be(before.Layers[0].Digest);
            error.Message.Should().Contain("tampered");
        }
        finally
        {
            await File.WriteAllBytesAsync(blob, original);
        }
    }

    [Fact]
    public async Task Plain_http_is_used_only_for_named_hosts()
    {
        using var resolver = Resolver(insecure: "other.example:5000");

        var act = () => resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1", new ResolveOptions { ComputeLayerHashes = false });

        (await act.Should().ThrowAsync<RegistryException>()).Which.Message.Should().Contain("https://");
    }

    [Fact]
    public async Task Bearer_token_challenge_is_followed()
    {
        await using var proxy = TokenAuthProxy.Start(fixture.Registry);
        using var resolver = Resolver(insecure: proxy.Host);

        var image = await resolver.ResolveAsync($"{proxy.Host}/team/app:v1");

        image.ManifestDigest.ToString().Should().Be(fixture.AppDigest);
        proxy.ChallengesSent.Should().BeGreaterThan(0);
        proxy.TokensIssued.Should().Be(1, "the token is reused for the repository's later requests");
    }

    [Fact]
    public async Task Token_service_credentials_come_from_a_docker_config()
    {
        await using var proxy = TokenAuthProxy.Start(fixture.Registry, "alice", "s3cret");
        using var temp = new TempDirectory();
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:s3cret"));
        await File.WriteAllTextAsync(temp.File("config.json"), $$$$"""{"auths":{"{{{{proxy.Host}}}}":{"auth":"{{{{auth}}}}"}}}""");
        using var resolver = Resolver(DockerConfigCredentials.Load(temp.File("config.json")), proxy.Host);

        var image = await resolver.ResolveAsync($"{proxy.Host}/team/app:v1", new ResolveOptions { ComputeLayerHashes = false });

        image.ManifestDigest.ToString().Should().Be(fixture.AppDigest);
    }

    [Fact]
    public async Task Wrong_credentials_are_a_clear_error()
    {
        await using var proxy = TokenAuthProxy.Start(fixture.Registry, "alice", "s3cret");
        var secret = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $$$$"""{"auths":{"{{{{proxy.Host}}}}":{"username":"alice","password":"wrong"}}}"""));
        using var resolver = Resolver(DockerConfigCredentials.FromKubernetesSecretData(secret), proxy.Host);

        var act = () => resolver.ResolveAsync($"{proxy.Host}/team/app:v1");

        (await act.Should().ThrowAsync<RegistryException>()).Which.Message.Should().Contain("token service").And.Contain("401");
    }

    [Fact]
    public async Task Layer_cache_is_used_on_the_second_resolve()
    {
        using var temp = new TempDirectory();
        var cache = new LayerCache(temp.Path);
        using var resolver = new ImageResolver(new RegistryClientOptions { InsecureRegistries = [fixture.Registry.Host] }, cache);

        var first = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1");
        var entries = Directory.GetFiles(temp.Path, "*.json");
        var second = await resolver.ResolveAsync($"{fixture.Registry.Host}/team/app:v1");

        entries.Should().HaveCount(2);
        second.Layers.Select(l => l.RootHash).Should().Equal(first.Layers.Select(l => l.RootHash));
        cache.TryGet(first.Layers[1].Digest, LayerHashFormat.Tarfs)!.RootHash.Should().Be(first.Layers[1].RootHash);
    }
}
