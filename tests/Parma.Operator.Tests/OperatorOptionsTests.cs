using Parma.Operator.Hosting;

namespace Parma.Operator.Tests;

public sealed class OperatorOptionsTests
{
    [Fact]
    public void The_deployment_flags_parse()
    {
        var options = OperatorOptions.Parse([
            "--settings", "/etc/parma/settings/settings.json", "--kubeconfig", "/k", "--leader-election-namespace", "parma-system",
            "--lease-name", "parma-operator", "--layer-cache", "/var/cache/parma/layers", "--http-port", "8080", "--leader-elect", "false",
        ]);
        options.KubeconfigPath.Should().Be("/k");
        options.LeaderElect.Should().BeFalse();
        options.LeaderElectionNamespace.Should().Be("parma-system");
        options.HttpPort.Should().Be(8080);
        options.LayerCacheDirectory.Should().Be("/var/cache/parma/layers");
    }

    [Theory]
    [InlineData("--http-port", "eighty", "--http-port 'eighty'")]
    [InlineData("--leader-elect", "maybe", "expected true or false")]
    [InlineData("--bogus", "x", "unknown argument '--bogus'")]
    [InlineData("--image-layout", "/nonexistent", "not an OCI image layout")]
    public void Bad_flags_are_named(string flag, string value, string message)
    {
        var parse = () => OperatorOptions.Parse([flag, value, "--leader-election-namespace", "ns"]);
        parse.Should().Throw<ArgumentException>().WithMessage($"*{message}*");
    }

    [Fact]
    public void Leader_election_needs_a_namespace()
    {
        var parse = () => OperatorOptions.Parse(["--leader-elect", "true", "--leader-election-namespace", ""]);
        parse.Should().Throw<ArgumentException>().WithMessage("*--leader-election-namespace*");
    }
}
