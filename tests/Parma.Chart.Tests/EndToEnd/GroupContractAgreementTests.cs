using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Kube.Resources;
using Parma.Testing;
using Parma.Testing.ApiServer;
using Parma.Testing.Registry;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// The operator and the webhook agree on a group's registry credentials: with the chart's operator and
/// webhook running, groups whose private image is reachable only with the right pull secret run to
/// Available, which needs the operator to resolve the image (policy) and the webhook to resolve it again
/// for every pod's pre-flight, each with the credential it picked. The right secret is a legacy
/// kubernetes.io/dockercfg Secret (the webhook once read only .dockerconfigjson) named by the template or
/// by its ServiceAccount, and a wrong one for the same registry sits in spec.policy.imagePullSecrets (the
/// operator once tried those first): the kubelet's order (the pod's, else its ServiceAccount's, then the
/// group's) must pick the right one on both sides.
/// </summary>
public sealed class GroupContractAgreementTests
{
    private const string ReleaseNamespace = "parma-system";
    private const string Workloads = "demo";

    [Fact]
    public async Task Operator_and_webhook_pick_the_same_pull_secret_and_the_operators_policy_passes_the_webhooks_preflight()
    {
        await using var registry = await LocalRegistry.StartAsync();
        var layout = RepoPaths.InRepo("examples", "images");
        await registry.PushAsync(layout, "registry.example/parma/hello:1.0", "parma/hello", "v1");
        await using var privateRegistry = TokenAuthProxy.Start(registry, "parma", "secret");
        var image = $"{privateRegistry.Host}/parma/hello:v1";
        var chart = await Helm.TemplateAsync(ReleaseNamespace,
            "--set", $"settings.insecureRegistries={{{registry.Host},{privateRegistry.Host}}}",
            "--set", $"operator.extraArgs={{--image-layout,{layout}}}",
            "--set", $"webhook.extraArgs={{--image-layout,{layout}}}");

        await using var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ReleaseNamespace}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Workloads}\n");
        await server.CreateManifestsAsync(await File.ReadAllTextAsync(Path.Combine(Helm.ChartDirectory, "crds", ConfidentialPodGroupCrd.FileName)));
        var withoutWebhooks = chart.Served.Where(o => !RenderedChart.Kind(o).EndsWith("WebhookConfiguration", StringComparison.Ordinal));
        await server.CreateManifestsAsync(string.Join("\n---\n", withoutWebhooks.Select(o => o.ToJsonString())), ReleaseNamespace);

        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(server.Kubeconfig()));
        using var client = Parma.Kube.Client.KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await client.CreateAsync(Secret("legacy-cfg", PullSecretCredentials.DockerCfgType, PullSecretCredentials.DockerCfgKey,
            new JsonObject { [privateRegistry.Host] = Auth("parma", "secret") }));
        await client.CreateAsync(Secret("stale", PullSecretCredentials.DockerConfigJsonType, PullSecretCredentials.DockerConfigJsonKey,
            new JsonObject { ["auths"] = new JsonObject { [privateRegistry.Host] = Auth("parma", "expired") } }));
        await client.CreateAsync(new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = new V1ObjectMeta { Name = "puller", NamespaceProperty = Workloads },
            ImagePullSecrets = [new V1LocalObjectReference { Name = "legacy-cfg" }],
        });

        await using var components = new ChartComponents();
        await components.StartWebhookAndOperatorAsync(server, chart,
            $"system:serviceaccount:{ReleaseNamespace}:parma-operator-webhook", $"system:serviceaccount:{ReleaseNamespace}:parma-operator-operator");
        await using var kubelet = new Kubelet(client, Workloads);

        await server.CreateManifestsAsync(Group("from-template", image, templateExtra: "imagePullSecrets: [{name: legacy-cfg}]"), Workloads);
        await server.CreateManifestsAsync(Group("from-service-account", image, templateExtra: "serviceAccountName: puller"), Workloads);
        await server.CreateManifestsAsync(Group("only-stale", image, templateExtra: "serviceAccountName: default"), Workloads);

        foreach (var name in new[] { "from-template", "from-service-account" })
        {
            var group = await Eventually.GetAsync(async () =>
            {
                var current = await client.GetAsync<ConfidentialPodGroup>(name, Workloads);
                return ConditionList.IsTrue(current.Status?.Conditions, GroupConditions.Available) && current.Status!.ReadyReplicas == 1 ? current : null;
            }, $"group {name} to be Available: the operator resolved its image and the webhook admitted its pod after pre-flight");
            var pods = (await client.ListAsync<V1Pod>(Workloads, new ListOptions { LabelSelector = $"{ParmaLabels.Group}={name}" })).Items;
            pods.Should().ContainSingle().Which.Metadata.Annotations![ParmaLabels.HostDataAnnotation].Should().Be(group.Status!.HostData);
        }

        // The control: the wrong secret alone does not open the registry, so the groups above used the right one.
        var refused = await Eventually.GetAsync(async () =>
        {
            var current = await client.GetAsync<ConfidentialPodGroup>("only-stale", Workloads);
            return ConditionList.Find(current.Status?.Conditions, GroupConditions.PolicyReady) is { Status: "False" } condition ? condition : null;
        }, "group only-stale to report that its image cannot be resolved");
        refused.Reason.Should().Be(GroupConditions.Reasons.ImageResolutionFailed);
    }

    private static JsonObject Auth(string user, string password) =>
        new() { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")) };

    private static V1Secret Secret(string name, string type, string key, JsonObject payload) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = type,
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Workloads },
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(payload.ToJsonString()) },
    };

    private static string Group(string name, string image, string templateExtra) => $$"""
        apiVersion: parma.dev/v1alpha1
        kind: ConfidentialPodGroup
        metadata:
          name: {{name}}
        spec:
          replicas: 1
          policy:
            imagePullSecrets:
              - name: stale
          template:
            metadata:
              labels:
                app: {{name}}
            spec:
              {{templateExtra}}
              containers:
                - name: hello
                  image: {{image}}
        """;
}
