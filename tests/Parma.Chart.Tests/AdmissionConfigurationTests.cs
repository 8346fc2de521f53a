using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Parma.Chart.Tests;

/// <summary>The webhook configurations and the serving certificate, with Helm-generated TLS and with cert-manager.</summary>
public sealed class AdmissionConfigurationTests
{
    private const string Namespace = "parma-system";

    [Fact]
    public async Task Every_webhook_fails_closed_without_side_effects_and_answers_quickly()
    {
        var chart = await Helm.TemplateAsync();

        var webhooks = Webhooks(chart).ToList();
        webhooks.Select(w => w["name"]!.GetValue<string>()).Should().BeEquivalentTo(
            "group-pods.mutate.parma.dev", "namespace-pods.mutate.parma.dev",
            "group-pods.validate.parma.dev", "namespace-pods.validate.parma.dev", "confidentialpodgroups.validate.parma.dev");
        foreach (var webhook in webhooks)
        {
            webhook["failurePolicy"]!.GetValue<string>().Should().Be("Fail");
            webhook["sideEffects"]!.GetValue<string>().Should().Be("None");
            webhook["admissionReviewVersions"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("v1");
            webhook["timeoutSeconds"]!.GetValue<int>().Should().BeInRange(1, 10);
            var excluded = webhook["namespaceSelector"]!["matchExpressions"]!.AsArray()
                .Single(e => e!["key"]!.GetValue<string>() == "kubernetes.io/metadata.name")!;
            excluded["operator"]!.GetValue<string>().Should().Be("NotIn");
            excluded["values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Contain(["kube-system", Namespace]);
            var service = webhook["clientConfig"]!["service"]!;
            service["name"]!.GetValue<string>().Should().Be("parma-operator-webhook");
            service["namespace"]!.GetValue<string>().Should().Be(Namespace);
            service["port"]!.GetValue<int>().Should().Be(443);
        }
    }

    [Fact]
    public async Task Pods_are_mutated_on_create_and_validated_on_create_and_update_groups_on_create_and_update()
    {
        var chart = await Helm.TemplateAsync();

        Rule(chart, "group-pods.mutate.parma.dev").Should().Be(("", "pods", "CREATE", "/mutate/pods"));
        Rule(chart, "namespace-pods.mutate.parma.dev").Should().Be(("", "pods", "CREATE", "/mutate/pods"));
        Rule(chart, "group-pods.validate.parma.dev").Should().Be(("", "pods", "CREATE,UPDATE", "/validate/pods"));
        Rule(chart, "confidentialpodgroups.validate.parma.dev").Should().Be(
            ("parma.dev", "confidentialpodgroups", "CREATE,UPDATE", "/validate/confidentialpodgroups"));
    }

    [Fact]
    public async Task Group_pods_are_seen_everywhere_and_other_pods_only_in_opted_in_namespaces()
    {
        var chart = await Helm.TemplateAsync("parma-system", "-f", Helm.ValuesFile("full-values.yaml"));

        var group = Webhook(chart, "group-pods.validate.parma.dev");
        var other = Webhook(chart, "namespace-pods.validate.parma.dev");
        Expression(group["objectSelector"]!, "parma.dev/group").Should().Be("Exists");
        Expression(other["objectSelector"]!, "parma.dev/group").Should().Be("DoesNotExist");
        Expression(other["namespaceSelector"]!, "confidential.example.com/enabled").Should().Be("In");
        Expression(group["namespaceSelector"]!, "confidential.example.com/enabled").Should().BeNull();
        group["namespaceSelector"]!["matchExpressions"]![0]!["values"]!.AsArray().Select(v => v!.GetValue<string>())
            .Should().Equal("kube-system", Namespace, "monitoring", "cert-manager");
        Expression(group["objectSelector"]!, "app.kubernetes.io/part-of").Should().Be("NotIn", "the chart's own pods are never intercepted");
    }

    [Fact]
    public async Task Helm_generated_ca_signs_a_certificate_for_the_service_and_is_the_ca_bundle()
    {
        var chart = await Helm.TemplateAsync();

        chart.OfKind("Certificate").Should().BeEmpty();
        var secret = chart.Get("Secret", "parma-operator-webhook-tls");
        secret["type"]!.GetValue<string>().Should().Be("kubernetes.io/tls");
        var caPem = Decode(secret["data"]!["ca.crt"]!);
        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var serving = X509Certificate2.CreateFromPem(Decode(secret["data"]!["tls.crt"]!), Decode(secret["data"]!["tls.key"]!));

        serving.HasPrivateKey.Should().BeTrue();
        serving.MatchesHostname("parma-operator-webhook.parma-system.svc").Should().BeTrue();
        serving.NotAfter.Should().BeAfter(DateTime.UtcNow.AddYears(5));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.Build(serving).Should().BeTrue("the serving certificate chains to the CA in the caBundle");
        foreach (var webhook in Webhooks(chart))
        {
            webhook["clientConfig"]!["caBundle"]!.GetValue<string>().Should().Be(secret["data"]!["ca.crt"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Cert_manager_issues_the_certificate_and_injects_the_ca_when_its_api_exists()
    {
        var chart = await Helm.TemplateAsync(Namespace, "--api-versions", "cert-manager.io/v1");

        chart.OfKind("Secret").Should().BeEmpty("cert-manager writes the Secret");
        var certificate = chart.Get("Certificate", "parma-operator-webhook");
        certificate["apiVersion"]!.GetValue<string>().Should().Be("cert-manager.io/v1");
        certificate["spec"]!["secretName"]!.GetValue<string>().Should().Be(
            chart.Deployment("webhook")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray()
                .Single(v => v!["name"]!.GetValue<string>() == "tls")!["secret"]!["secretName"]!.GetValue<string>());
        certificate["spec"]!["dnsNames"]!.AsArray().Select(n => n!.GetValue<string>())
            .Should().Contain(["parma-operator-webhook.parma-system.svc", "parma-operator-webhook.parma-system.svc.cluster.local"]);
        certificate["spec"]!["usages"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Contain("server auth");

        // The chain of issuers: self-signed root → CA certificate → CA issuer → serving certificate.
        var issuerName = certificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>();
        var caIssuer = chart.Get("Issuer", issuerName);
        var caCertificate = chart.Get("Certificate", "parma-operator-root-ca");
        caIssuer["spec"]!["ca"]!["secretName"]!.GetValue<string>().Should().Be(caCertificate["spec"]!["secretName"]!.GetValue<string>());
        caCertificate["spec"]!["isCA"]!.GetValue<bool>().Should().BeTrue();
        chart.Get("Issuer", caCertificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>())["spec"]!["selfSigned"].Should().NotBeNull();

        foreach (var configuration in chart.OfKind("MutatingWebhookConfiguration").Concat(chart.OfKind("ValidatingWebhookConfiguration")))
        {
            configuration["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>()
                .Should().Be("parma-system/parma-operator-webhook");
            configuration["webhooks"]!.AsArray().Should().OnlyContain(w => w!["clientConfig"]!["caBundle"] == null);
        }
    }

    [Fact]
    public async Task An_existing_issuer_replaces_the_charts_own_ca()
    {
        var chart = await Helm.TemplateAsync(Namespace, "-f", Helm.ValuesFile("full-values.yaml"));

        chart.OfKind("Issuer").Should().BeEmpty();
        var certificate = chart.Single("Certificate");
        certificate["spec"]!["issuerRef"]!["kind"]!.GetValue<string>().Should().Be("ClusterIssuer");
        certificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>().Should().Be("internal-ca");
    }

    private static IEnumerable<JsonObject> Webhooks(RenderedChart chart) =>
        chart.OfKind("MutatingWebhookConfiguration").Concat(chart.OfKind("ValidatingWebhookConfiguration"))
            .SelectMany(c => c["webhooks"]!.AsArray().Select(w => w!.AsObject()));

    private static JsonObject Webhook(RenderedChart chart, string name) =>
        Webhooks(chart).Single(w => w["name"]!.GetValue<string>() == name);

    private static (string Group, string Resource, string Operations, string Path) Rule(RenderedChart chart, string name)
    {
        var webhook = Webhook(chart, name);
        var rule = webhook["rules"]!.AsArray().Should().ContainSingle().Subject!;
        return (rule["apiGroups"]![0]!.GetValue<string>(), rule["resources"]!.AsArray().Single()!.GetValue<string>(),
            string.Join(',', rule["operations"]!.AsArray().Select(o => o!.GetValue<string>())),
            webhook["clientConfig"]!["service"]!["path"]!.GetValue<string>());
    }

    private static string? Expression(JsonNode selector, string key) =>
        selector["matchExpressions"]!.AsArray().SingleOrDefault(e => e!["key"]!.GetValue<string>() == key)?["operator"]!.GetValue<string>();

    private static string Decode(JsonNode base64) => Encoding.ASCII.GetString(Convert.FromBase64String(base64.GetValue<string>()));
}
