using k8s;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// The first hour as a user lives it, with kubectl 1.33: the CRDs and the example group applied
/// server-side while the chart's webhook and operator run, `kubectl wait` until the group is Available,
/// and `kubectl get` showing its printer columns filled in by the operator.
/// </summary>
public sealed class KubectlEndToEndTests
{
    private const string ReleaseNamespace = "parma-system";
    private const string OperatorUser = $"system:serviceaccount:{ReleaseNamespace}:parma-operator-operator";
    private const string WebhookUser = $"system:serviceaccount:{ReleaseNamespace}:parma-operator-webhook";

    [Fact]
    public async Task Kubectl_applies_the_crds_and_the_example_group_waits_for_available_and_gets_the_printer_columns()
    {
        // The example's images (and the pause image) come from the OCI layout beside it: no registry, no network.
        var layout = RepoPaths.InRepo("examples", "images");
        var chart = await Helm.TemplateAsync(ReleaseNamespace,
            "--set", $"operator.extraArgs={{--image-layout,{layout}}}",
            "--set", $"webhook.extraArgs={{--image-layout,{layout}}}");
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Kubeconfig());

        await kubectl.SucceedAsync("apply", "--server-side", "-f", "crds/");
        var namespaces = await kubectl.RunWithInputAsync(Namespace(ReleaseNamespace) + "---\n" + Namespace("demo"), "apply", "--server-side", "-f", "-");
        namespaces.EnsureSuccess("kubectl apply the namespaces");
        var withoutWebhooks = chart.Served.Where(o => !RenderedChart.Kind(o).EndsWith("WebhookConfiguration", StringComparison.Ordinal));
        await server.CreateManifestsAsync(string.Join("\n---\n", withoutWebhooks.Select(o => o.ToJsonString())), ReleaseNamespace);
        await using var components = new ChartComponents();
        await components.StartWebhookAndOperatorAsync(server, chart, WebhookUser, OperatorUser);
        using var kubeconfig = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(server.Kubeconfig()));
        using var client = Parma.Kube.Client.KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await using var kubelet = new Kubelet(client, "demo");

        (await kubectl.SucceedAsync("apply", "--server-side", "-f", "examples/confidential-pod-group.yaml"))
            .Should().Contain("confidentialpodgroup.parma.dev/hello serverside-applied").And.Contain("configmap/hello-config serverside-applied");
        var waited = await kubectl.RunAsync("wait", "--for=condition=Available", "confidentialpodgroup/hello", "-n", "demo", "--timeout=60s");
        if (waited.ExitCode != 0)
        {
            var status = await kubectl.SucceedAsync("get", "cpg", "hello", "-n", "demo", "-o", "jsonpath={.status.conditions}");
            var events = await kubectl.SucceedAsync("get", "events", "-n", "demo", "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
            throw new Xunit.Sdk.XunitException($"kubectl wait: {waited.StandardError.Trim()}\nconditions: {status}\nevents:\n{events}");
        }

        waited.StandardOutput.Should().Contain("confidentialpodgroup.parma.dev/hello condition met");

        // Available can hold before the second pod is ready (as a Deployment's does): wait for both, so the table is settled.
        (await kubectl.SucceedAsync("wait", "--for=jsonpath={.status.readyReplicas}=2", "confidentialpodgroup/hello", "-n", "demo", "--timeout=60s"))
            .Should().Contain("condition met");

        var table = (await kubectl.SucceedAsync("get", "confidentialpodgroups", "-n", "demo")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        table[0].Should().MatchRegex(@"^NAME\s+REPLICAS\s+READY\s+HOSTDATA\s+POLICY\s+AGE\s*$");
        table.Should().HaveCount(2);
        var hostData = await kubectl.SucceedAsync("get", "cpg", "hello", "-n", "demo", "-o", "jsonpath={.status.hostData}");
        hostData.Should().MatchRegex("^[0-9a-f]{64}$");
        table[1].Should().MatchRegex($@"^hello\s+2\s+2\s+{hostData[..12]}\s+True\s+\d+s\s*$",
            "HostData shows the first 12 hex digits of host_data, Ready the ready pods, Policy the PolicyReady condition");
        (await kubectl.SucceedAsync("get", "pods", "-n", "demo", "-l", "parma.dev/group=hello", "-o", "name"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
    }

    private static string Namespace(string name) => $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n";
}
