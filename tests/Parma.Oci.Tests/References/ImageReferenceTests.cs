using Parma.Oci.References;

namespace Parma.Oci.Tests.References;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", null)]
    [InlineData("library/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("index.docker.io/busybox", "docker.io", "library/busybox", "latest", null)]
    [InlineData("bitnami/nginx:1.25", "docker.io", "bitnami/nginx", "1.25", null)]
    [InlineData("ghcr.io/org/team/app:v1", "ghcr.io", "org/team/app", "v1", null)]
    [InlineData("localhost/app", "localhost", "app", "latest", null)]
    [InlineData("localhost:5000/app:dev", "localhost:5000", "app", "dev", null)]
    [InlineData("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", null)]
    [InlineData("docker://quay.io/coreos/etcd:v3.5", "quay.io", "coreos/etcd", "v3.5", null)]
    public void Normalises_like_containerd(string input, string registry, string repository, string tag, string? digest)
    {
        var reference = ImageReference.Parse(input);

        reference.Registry.Should().Be(registry);
        reference.Repository.Should().Be(repository);
        reference.Tag.Should().Be(tag);
        reference.Digest?.ToString().Should().Be(digest);
    }

    [Fact]
    public void Digest_only_reference_has_no_default_tag()
    {
        var digest = "sha256:" + new string('a', 64);
        var reference = ImageReference.Parse("busybox@" + digest);

        reference.Tag.Should().BeNull();
        reference.Digest!.ToString().Should().Be(digest);
        reference.ManifestReference.Should().Be(digest);
        reference.ToString().Should().Be("docker.io/library/busybox@" + digest);
    }

    [Fact]
    public void Tag_and_digest_keep_both_and_the_digest_wins()
    {
        var digest = "sha256:" + new string('b', 64);
        var reference = ImageReference.Parse("localhost:5000/app:1.0@" + digest);

        reference.Tag.Should().Be("1.0");
        reference.ManifestReference.Should().Be(digest);
        reference.ToString().Should().Be("localhost:5000/app:1.0@" + digest);
    }

    [Fact]
    public void Docker_hub_api_host_is_registry_1()
    {
        ImageReference.Parse("busybox").ApiHost.Should().Be("registry-1.docker.io");
        ImageReference.Parse("localhost:5000/x").ApiHost.Should().Be("localhost:5000");
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Busybox", "repository")]
    [InlineData("busybox:", "tag")]
    [InlineData("busybox:bad tag", "tag")]
    [InlineData("busybox@sha256:abc", "64")]
    [InlineData("busybox@md5:0123", "unsupported")]
    [InlineData("example.com/-bad", "repository")]
    [InlineData("example.com/a//b", "repository")]
    [InlineData("exa mple.com/app", "registry")]
    [InlineData("my_registry:5000/app", "registry")]
    public void Rejects_invalid_references_with_a_reason(string input, string mention)
    {
        var ok = ImageReference.TryParse(input, out _, out var error);

        ok.Should().BeFalse();
        error.Should().ContainEquivalentOf(mention);
    }
}
