using Parma.Attestation.Certificates;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.KeyRelease;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>The key-release Deployment's probes and port, against the real service started with the rendered args.</summary>
public sealed class KeyReleaseProbeTests
{
    [Fact]
    public async Task Key_release_answers_the_probes_the_chart_declares_on_its_port()
    {
        var chart = await Helm.TemplateAsync("parma-system", "--set", "keyRelease.enabled=true", "--set", "keyRelease.existingSecret=keys");
        var deployment = chart.Deployment("key-release");
        var container = RenderedChart.Container(deployment);
        RenderedChart.Flag(deployment, "--config").Should().Be("/etc/parma/key-release/config.json");
        RenderedChart.Flag(deployment, "--urls").Should().Be("http://0.0.0.0:8080");
        var args = ChartComponents.Rewrite(RenderedChart.Args(deployment), new Dictionary<string, string> { ["--urls"] = "http://127.0.0.1:0" });

        await using var app = KeyReleaseHost.Build(args, new Dictionary<string, ReleasableSecret>(), new SnpReportVerifier(TrustedRoots.AmdBuiltIn()));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = ChartComponents.Address(app, "http") };

        foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
        {
            var path = container[probe]!["httpGet"]!["path"]!.GetValue<string>();
            var response = await http.GetAsync(path);
            response.IsSuccessStatusCode.Should().BeTrue($"{probe} {path} answered {(int)response.StatusCode}");
        }

        await app.StopAsync();
    }
}
