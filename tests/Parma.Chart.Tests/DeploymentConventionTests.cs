using System.Text.Json.Nodes;
using Parma.Api;

namespace Parma.Chart.Tests;

/// <summary>The Deployments follow the flags, ports and paths the operator and webhook expect (docs: common deployment conventions).</summary>
public sealed class DeploymentConventionTests
{
    [Fact]
    public async Task Operator_runs_two_leader_elected_replicas_with_the_conventional_flags()
    {
        var chart = await Helm.TemplateAsync();
        var operatorDeployment = chart.Deployment("operator");

        operatorDeployment["spec"]!["replicas"]!.GetValue<int>().Should().Be(2);
        RenderedChart.Flag(operatorDeployment, "--settings").Should().Be(ParmaSettingsLoader.DefaultPath);
        RenderedChart.Flag(operatorDeployment, "--layer-cache").Should().Be("/var/cache/parma/layers");
        RenderedChart.Flag(operatorDeployment, "--http-port").Should().Be("8080");
        RenderedChart.Flag(operatorDeployment, "--leader-elect").Should().Be("true");
        RenderedChart.Flag(operatorDeployment, "--lease-name").Should().Be("parma-operator");
        RenderedChart.Flag(operatorDeployment, "--leader-election-namespace").Should().Be("parma-system");
        var container = RenderedChart.Container(operatorDeployment);
        container["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()).Should().Contain(["POD_NAME", "POD_NAMESPACE"]);
        Probe(container, "livenessProbe").Should().Be(("HTTP", 8080, "/healthz"));
        Probe(container, "readinessProbe").Should().Be(("HTTP", 8080, "/readyz"));
        MountPath(operatorDeployment, "layer-cache").Should().Be("/var/cache/parma/layers");
        Volume(operatorDeployment, "layer-cache")["emptyDir"].Should().NotBeNull();
        MountPath(operatorDeployment, "settings").Should().Be("/etc/parma/settings");
    }

    [Fact]
    public async Task Webhook_serves_https_on_8443_with_the_mounted_certificate_and_metrics_on_8080()
    {
        var chart = await Helm.TemplateAsync();
        var webhook = chart.Deployment("webhook");

        webhook["spec"]!["replicas"]!.GetValue<int>().Should().Be(2);
        RenderedChart.Flag(webhook, "--tls-cert").Should().Be("/etc/parma/tls/tls.crt");
        RenderedChart.Flag(webhook, "--tls-key").Should().Be("/etc/parma/tls/tls.key");
        RenderedChart.Flag(webhook, "--port").Should().Be("8443");
        RenderedChart.Flag(webhook, "--metrics-port").Should().Be("8080");
        RenderedChart.Flag(webhook, "--settings").Should().Be(ParmaSettingsLoader.DefaultPath);
        RenderedChart.Flag(webhook, "--request-timeout").Should().Be("8", "the webhook answers before the API server's 10 s timeout");
        var container = RenderedChart.Container(webhook);
        Probe(container, "livenessProbe").Should().Be(("HTTPS", 8443, "/healthz"));
        Probe(container, "readinessProbe").Should().Be(("HTTPS", 8443, "/readyz"));
        MountPath(webhook, "tls").Should().Be("/etc/parma/tls");
        Volume(webhook, "tls")["secret"]!["secretName"]!.GetValue<string>().Should().Be("parma-operator-webhook-tls");

        var service = chart.Get("Service", "parma-operator-webhook");
        var https = service["spec"]!["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "https")!;
        https["port"]!.GetValue<int>().Should().Be(443);
        https["targetPort"]!.GetValue<string>().Should().Be("https");
    }

    [Theory]
    [InlineData(5, "3")]
    [InlineData(2, "1")]
    [InlineData(1, "1")]
    public async Task Webhook_deadline_follows_the_configured_timeout(int timeoutSeconds, string requestTimeout)
    {
        var chart = await Helm.TemplateAsync("parma-system", "--set", $"webhook.timeoutSeconds={timeoutSeconds}");

        RenderedChart.Flag(chart.Deployment("webhook"), "--request-timeout").Should().Be(requestTimeout);
    }

    [Fact]
    public async Task Webhook_keeps_one_replica_through_voluntary_disruptions()
    {
        var chart = await Helm.TemplateAsync();
        var budget = chart.Single("PodDisruptionBudget");
        var webhook = chart.Deployment("webhook");

        budget["spec"]!["minAvailable"]!.GetValue<int>().Should().Be(1);
        budget["spec"]!["selector"]!["matchLabels"]!.ToJsonString()
            .Should().Be(webhook["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("full-values.yaml")]
    public async Task Every_container_runs_locked_down(string? valuesFile)
    {
        var chart = await Helm.TemplateAsync("parma-system", valuesFile is null ? [] : ["-f", Helm.ValuesFile(valuesFile)]);

        chart.OfKind("Deployment").Should().HaveCount(valuesFile is null ? 2 : 3);
        foreach (var deployment in chart.OfKind("Deployment"))
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>().Should().BeTrue();
            pod["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>().Should().Be("RuntimeDefault");
            var container = RenderedChart.Container(deployment);
            var security = container["securityContext"]!;
            security["readOnlyRootFilesystem"]!.GetValue<bool>().Should().BeTrue();
            security["allowPrivilegeEscalation"]!.GetValue<bool>().Should().BeFalse();
            security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("ALL");
            container["resources"]!["requests"]!["memory"].Should().NotBeNull();
            container["resources"]!["limits"]!["memory"].Should().NotBeNull();
            MountPath(deployment, "tmp").Should().Be("/tmp", "a read-only root still needs a writable /tmp for .NET");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("minimal-values.yaml")]
    public async Task Settings_config_map_is_what_the_operator_and_webhook_load(string? valuesFile)
    {
        var chart = await Helm.TemplateAsync("parma-system", valuesFile is null ? [] : ["-f", Helm.ValuesFile(valuesFile)]);
        var configMap = chart.Single("ConfigMap");

        var settings = ParmaSettingsLoader.Parse(configMap["data"]!["settings.json"]!.GetValue<string>(), "rendered settings.json");

        if (valuesFile is null)
        {
            settings.RuntimeClassName.Should().Be(ParmaSettings.DefaultRuntimeClass);
            settings.InsecureRegistries.Should().BeEmpty();
            settings.LayerCacheDirectory.Should().BeNull();
        }
        else
        {
            settings.RuntimeClassName.Should().Be("kata-qemu-snp-dev");
            settings.AllowedRuntimeClasses.Should().Equal("kata-qemu-snp");
            settings.NodeSelector.Should().Contain("node.kubernetes.io/instance-type", "snp");
            settings.Tolerations.Should().ContainSingle().Which.Key.Should().Be("sev-snp");
            settings.InsecureRegistries.Should().Equal("127.0.0.1:5000");
            settings.LayerCacheDirectory.Should().Be("/var/cache/parma/layers/hashes");
        }

        foreach (var deployment in new[] { chart.Deployment("operator"), chart.Deployment("webhook") })
        {
            Volume(deployment, "settings")["configMap"]!["name"]!.GetValue<string>().Should().Be(RenderedChart.Name(configMap));
            deployment["spec"]!["template"]!["metadata"]!["annotations"]!["checksum/settings"].Should().NotBeNull("a settings change rolls the pods");
        }
    }

    [Fact]
    public async Task Minimal_values_turn_off_leader_election_and_the_disruption_budget()
    {
        var chart = await Helm.TemplateAsync("parma-system", "-f", Helm.ValuesFile("minimal-values.yaml"));

        RenderedChart.Flag(chart.Deployment("operator"), "--leader-elect").Should().Be("false");
        RenderedChart.Args(chart.Deployment("operator")).Should().NotContain("--lease-name");
        chart.OfKind("Role").Should().BeEmpty("no Lease is needed without leader election");
        chart.OfKind("PodDisruptionBudget").Should().BeEmpty();
        chart.OfKind("RuntimeClass").Should().BeEmpty();
    }

    [Fact]
    public async Task Images_default_to_the_app_version_and_accept_digests()
    {
        var defaults = await Helm.TemplateAsync();
        var full = await Helm.TemplateAsync("parma-system", "-f", Helm.ValuesFile("full-values.yaml"));

        Image(defaults.Deployment("operator")).Should().Be("ghcr.io/parma-dev/parma-operator:0.1.0");
        Image(defaults.Deployment("webhook")).Should().Be("ghcr.io/parma-dev/parma-webhook:0.1.0");
        Image(full.Deployment("operator")).Should().Be(
            "registry.example.com/parma/parma-operator@sha256:0000000000000000000000000000000000000000000000000000000000000001");
        full.Deployment("operator")["spec"]!["template"]!["spec"]!["imagePullSecrets"]![0]!["name"]!.GetValue<string>()
            .Should().Be("registry-credentials");
    }

    private static string Image(JsonObject deployment) => RenderedChart.Container(deployment)["image"]!.GetValue<string>();

    private static (string Scheme, int Port, string Path) Probe(JsonObject container, string probe)
    {
        var get = container[probe]!["httpGet"]!;
        var portName = get["port"]!.GetValue<string>();
        var port = container["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == portName)!["containerPort"]!.GetValue<int>();
        return (get["scheme"]?.GetValue<string>() ?? "HTTP", port, get["path"]!.GetValue<string>());
    }

    private static JsonObject Volume(JsonObject deployment, string name) =>
        deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == name)!.AsObject();

    private static string MountPath(JsonObject deployment, string volume) =>
        RenderedChart.Container(deployment)["volumeMounts"]!.AsArray()
            .Single(m => m!["name"]!.GetValue<string>() == volume)!["mountPath"]!.GetValue<string>();
}
