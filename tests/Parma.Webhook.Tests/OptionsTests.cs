namespace Parma.Webhook.Tests;

/// <summary>The command line the chart's Deployment passes.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void The_deployment_flags_parse()
    {
        var options = WebhookOptions.Parse([
            "--tls-cert", "/etc/parma/tls/tls.crt", "--tls-key=/etc/parma/tls/tls.key", "--port", "8443", "--metrics-port", "8080",
            "--settings", "/etc/parma/settings/settings.json", "--kubeconfig", "/k", "--layer-cache", "/var/cache/parma/layers",
            "--image-layout", "/a", "--image-layout", "/b",
        ]);

        options.Port.Should().Be(8443);
        options.KeyPath.Should().Be("/etc/parma/tls/tls.key");
        options.ImageLayouts.Should().Equal("/a", "/b");
        options.NamespaceOptInLabel.Should().Be("parma.dev/enabled", "the default the chart's values also use");
        WebhookOptions.Parse(["--namespace-opt-in-label", "confidential.example.com/enabled"]).NamespaceOptInLabel.Should().Be("confidential.example.com/enabled");
        options.RequestTimeout.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("--port", "65536", "--port: '65536' is not a whole number from 0 to 65535.")]
    [InlineData("--request-timeout", "31", "--request-timeout: '31' is not a number of seconds above 0 and at most 29.")]
    [InlineData("--bogus", "1", "unknown argument '--bogus'.*")]
    [InlineData("--namespace-opt-in-label", "bad key!", "--namespace-opt-in-label: 'bad key!' is not a label key ([prefix/]name).")]
    public void Bad_flags_are_named(string flag, string value, string message)
    {
        var act = () => WebhookOptions.Parse([flag, value]);

        act.Should().Throw<WebhookStartupException>().WithMessage(message + "*");
    }

    [Fact]
    public void A_missing_certificate_stops_startup_naming_the_files()
    {
        var act = () => WebhookApp.Build(["--tls-cert", "/nonexistent/tls.crt", "--tls-key", "/nonexistent/tls.key", "--port", "0", "--metrics-port", "-1"]);

        act.Should().Throw<WebhookStartupException>().WithMessage("cannot load the TLS certificate from --tls-cert /nonexistent/tls.crt and --tls-key /nonexistent/tls.key*");
    }
}
