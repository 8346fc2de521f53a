using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Testing.ApiServer.Admission;
using Parma.Webhook;

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
    public async Task Pods_are_mutated_and_validated_on_create_and_update_groups_on_create_and_update()
    {
        var chart = await Helm.TemplateAsync();

        // Mutation sees updates too: an update that makes a plain pod claim a group is judged as its create.
        Rule(chart, "group-pods.mutate.parma.dev").Should().Be(("", "pods", "CREATE,UPDATE", "/mutate/pods"));
        Rule(chart, "namespace-pods.mutate.parma.dev").Should().Be(("", "pods", "CREATE,UPDATE", "/mutate/pods"));
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
    }

    [Fact]
    public async Task No_pod_label_exempts_a_pod_only_the_release_and_system_namespaces_are_exempt()
    {
        var chart = await Helm.TemplateAsync(Namespace, "-f", Helm.ValuesFile("full-values.yaml"));
        var podWebhooks = Webhooks(chart).Where(w => w["rules"]![0]!["resources"]![0]!.GetValue<string>() == "pods").ToList();
        podWebhooks.Should().HaveCount(4);

        foreach (var webhook in podWebhooks)
        {
            // The only object label looked at is the group claim itself; nothing a pod adds can take it out.
            webhook["objectSelector"]!["matchExpressions"]!.AsArray().Select(e => e!["key"]!.GetValue<string>())
                .Should().Equal([ParmaLabels.Group], $"{webhook["name"]} exempts no pod by a label it carries");
            webhook["objectSelector"]!["matchLabels"].Should().BeNull();
            webhook["namespaceSelector"]!["matchExpressions"]![0]!["values"]!.AsArray().Select(v => v!.GetValue<string>())
                .Should().Contain([Namespace, "kube-system"], "the project's own components are exempt by the namespace they run in");
        }

        const string optIn = "confidential.example.com/enabled";
        var namespaces = new Dictionary<string, Dictionary<string, string>>
        {
            ["team"] = [],
            ["opted-in"] = new() { [optIn] = "true" },
            [Namespace] = new() { [optIn] = "true" },
            ["kube-system"] = new() { [optIn] = "true" },
        };
        var podLabels = new Dictionary<string, Dictionary<string, string>>
        {
            ["plain"] = new() { ["app"] = "web" },
            ["group"] = new() { [ParmaLabels.Group] = "hello" },
            ["self-declared parma"] = new() { ["app.kubernetes.io/part-of"] = "parma", ["app.kubernetes.io/managed-by"] = "parma-operator" },
            ["group, self-declared parma"] = new() { [ParmaLabels.Group] = "hello", ["app.kubernetes.io/part-of"] = "parma" },
        };
        foreach (var kind in new[] { "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" })
        {
            var entries = chart.Single(kind)["webhooks"]!.AsArray().Select(w => w!.AsObject())
                .Where(w => w["rules"]![0]!["resources"]![0]!.GetValue<string>() == "pods").ToList();
            foreach (var (ns, nsLabels) in namespaces)
            {
                var labels = new Dictionary<string, string>(nsLabels) { ["kubernetes.io/metadata.name"] = ns };
                foreach (var (oldName, oldLabels) in podLabels)
                {
                    foreach (var (newName, newLabels) in podLabels)
                    {
                        // On create only the new pod counts; on update kube-apiserver matches the old or the new pod.
                        var update = entries.Count(w => Selects(w, labels, newLabels) || Selects(w, labels, oldLabels));
                        var create = entries.Count(w => Selects(w, labels, newLabels));
                        var exempt = ns is Namespace or "kube-system";
                        var claimsGroup = oldLabels.ContainsKey(ParmaLabels.Group) || newLabels.ContainsKey(ParmaLabels.Group);
                        var expected = exempt ? 0 : claimsGroup || ns == "opted-in" ? 1 : 0;
                        update.Should().BeGreaterThanOrEqualTo(expected, $"{kind}: update {oldName} -> {newName} in {ns}");
                        (update > 0).Should().Be(expected > 0, $"{kind}: update {oldName} -> {newName} in {ns}");
                        create.Should().Be(exempt ? 0 : newLabels.ContainsKey(ParmaLabels.Group) || ns == "opted-in" ? 1 : 0,
                            $"{kind}: create {newName} in {ns} reaches exactly one entry, whatever else the pod carries");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task The_webhook_is_told_the_namespace_opt_in_label_the_configurations_select()
    {
        var chart = await Helm.TemplateAsync(Namespace, "-f", Helm.ValuesFile("full-values.yaml"));

        var args = RenderedChart.Args(chart.Deployment("webhook")).ToList();
        args[args.IndexOf("--namespace-opt-in-label") + 1].Should().Be("confidential.example.com/enabled");
        WebhookOptions.Parse(args).NamespaceOptInLabel.Should().Be("confidential.example.com/enabled");
    }

    private static bool Selects(JsonObject webhook, Dictionary<string, string> namespaceLabels, Dictionary<string, string> podLabels) =>
        WebhookRules.Matches(webhook["namespaceSelector"]!.AsObject(), namespaceLabels) && WebhookRules.Matches(webhook["objectSelector"]!.AsObject(), podLabels);

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
