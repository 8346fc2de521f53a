using System.Text.Json.Nodes;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.Chart.Tests;

/// <summary>
/// Every rendered object is created on the test API server, which validates it against the official
/// OpenAPI documents in ../shared/k8s-openapi with unknown fields rejected (fieldValidation=Strict).
/// cert-manager and Prometheus Operator objects have no schema there and are checked structurally.
/// </summary>
public sealed class OpenApiValidationTests
{
    public static TheoryData<string, string[]> Renderings => new()
    {
        { "defaults", [] },
        { "minimal values", ["-f", Helm.ValuesFile("minimal-values.yaml")] },
        { "full values", ["-f", Helm.ValuesFile("full-values.yaml")] },
        { "cert-manager and ServiceMonitor present", ["--api-versions", "cert-manager.io/v1", "--api-versions", "monitoring.coreos.com/v1"] },
        { "runtime class off, key release in development mode", ["--set", "runtimeClass.create=false", "--set", "keyRelease.developmentMode.enabled=true", "--set", "keyRelease.existingSecret=keys"] },
        { "another namespace and name", ["--set", "fullnameOverride=cc", "--set", "settings.runtimeClassName=kata-snp"] },
    };

    [Theory]
    [MemberData(nameof(Renderings))]
    public async Task Every_rendered_object_is_accepted_by_the_api_server(string rendering, string[] arguments)
    {
        var chart = await Helm.TemplateAsync("parma-system", arguments);
        await using var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"parma-system"}}""");
        foreach (var crd in Directory.GetFiles(Path.Combine(Helm.ChartDirectory, "crds"), "*.yaml"))
        {
            await server.CreateManifestsAsync(await File.ReadAllTextAsync(crd));
        }

        var created = await server.CreateManifestsAsync(chart.ServedYaml, "parma-system");

        created.Should().HaveCount(chart.Served.Count(), rendering);
        foreach (var unserved in chart.Unserved)
        {
            CheckStructure(unserved, chart);
        }
    }

    [Theory]
    [InlineData("Deployment", "readinessProbes")]
    [InlineData("ClusterRole", "verb")]
    [InlineData("RoleBinding", "subject")]
    [InlineData("PodDisruptionBudget", "minAvailables")]
    [InlineData("MutatingWebhookConfiguration", "failurePolicies")]
    [InlineData("RuntimeClass", "handlers")]
    [InlineData("ConfigMap", "datas")]
    public async Task Api_server_rejects_an_unknown_field_in_a_rendered_object(string kind, string field)
    {
        // The validation above can fail: a misspelt field in a template is refused, not ignored.
        var chart = await Helm.TemplateAsync();
        var manifest = chart.OfKind(kind).First().DeepClone().AsObject();
        var target = kind switch
        {
            "Deployment" => manifest["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject(),
            "ClusterRole" => manifest["rules"]![0]!.AsObject(),
            "RoleBinding" => manifest["subjects"]![0]!.AsObject(),
            "MutatingWebhookConfiguration" => manifest["webhooks"]![0]!.AsObject(),
            "PodDisruptionBudget" => manifest["spec"]!.AsObject(),
            _ => manifest,
        };
        target[field] = "x";
        await using var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"parma-system"}}""");

        var act = () => server.CreateManifestsAsync(manifest.ToJsonString(), "parma-system");

        (await act.Should().ThrowAsync<ManifestApplyException>()).WithMessage($"*unknown field*{field}*");
    }

    [Fact]
    public async Task ServiceMonitors_scrape_named_ports_of_the_components_services()
    {
        var chart = await Helm.TemplateAsync("parma-system", "--api-versions", "monitoring.coreos.com/v1");

        chart.OfKind("ServiceMonitor").Should().HaveCount(2);
        foreach (var deployment in chart.OfKind("Deployment"))
        {
            deployment["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/scrape"].Should().BeNull();
        }

        var withoutCrd = await Helm.TemplateAsync();
        withoutCrd.OfKind("ServiceMonitor").Should().BeEmpty();
        foreach (var deployment in withoutCrd.OfKind("Deployment"))
        {
            var annotations = deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
            annotations["prometheus.io/scrape"]!.GetValue<string>().Should().Be("true");
            annotations["prometheus.io/port"]!.GetValue<string>().Should().Be("8080");
            annotations["prometheus.io/path"]!.GetValue<string>().Should().Be("/metrics");
        }
    }

    [Fact]
    public async Task RuntimeClass_schedules_onto_the_snp_pool_and_can_be_left_to_the_node_pool()
    {
        var chart = await Helm.TemplateAsync();
        var runtimeClass = chart.Single("RuntimeClass");
        runtimeClass["metadata"]!["name"]!.GetValue<string>().Should().Be("kata-qemu-snp");
        runtimeClass["handler"]!.GetValue<string>().Should().Be("kata-qemu-snp");
        runtimeClass["scheduling"]!["nodeSelector"]!["parma.dev/sev-snp"]!.GetValue<string>().Should().Be("true");
        runtimeClass["overhead"]!["podFixed"]!["memory"].Should().NotBeNull();

        var off = await Helm.TemplateAsync("parma-system", "--set", "runtimeClass.create=false");
        off.OfKind("RuntimeClass").Should().BeEmpty();
    }

    /// <summary>What the API server cannot check for kinds it does not serve: names, references and selectors.</summary>
    private static void CheckStructure(JsonObject manifest, RenderedChart chart)
    {
        var kind = RenderedChart.Kind(manifest);
        manifest["metadata"]!["namespace"]!.GetValue<string>().Should().Be(chart.ReleaseNamespace);
        RenderedChart.Name(manifest).Should().MatchRegex(Parma.Api.Patterns.Dns1123Subdomain);
        var spec = manifest["spec"]!.AsObject();
        switch (kind)
        {
            case "Issuer":
                spec.Select(p => p.Key).Should().ContainSingle().Which.Should().BeOneOf("selfSigned", "ca");
                break;
            case "Certificate":
                spec["secretName"]!.GetValue<string>().Should().NotBeEmpty();
                spec["issuerRef"]!["name"]!.GetValue<string>().Should().NotBeEmpty();
                spec.Select(p => p.Key).Should().BeSubsetOf(
                    ["secretName", "commonName", "dnsNames", "duration", "renewBefore", "privateKey", "usages", "issuerRef", "isCA"]);
                break;
            case "ServiceMonitor":
                var labels = spec["selector"]!["matchLabels"]!.AsObject();
                var port = spec["endpoints"]![0]!["port"]!.GetValue<string>();
                chart.OfKind("Service").Should().Contain(
                    s => labels.All(l => RenderedChart.Label(s, l.Key) == l.Value!.GetValue<string>())
                        && s["spec"]!["ports"]!.AsArray().Any(p => p!["name"]!.GetValue<string>() == port),
                    $"ServiceMonitor {RenderedChart.Name(manifest)} selects a Service with port {port}");
                break;
            default:
                throw new Xunit.Sdk.XunitException($"{kind} is neither served nor checked");
        }
    }
}
