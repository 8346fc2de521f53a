using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator;
using Parma.Testing;
using Parma.Testing.ApiServer;
using Parma.Testing.Registry;
using Parma.Webhook;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// The chart as a cluster would run it: its CRDs, RBAC, settings and webhook configurations applied to
/// the test API server, the operator and the webhook started with the rendered Deployments' arguments
/// under their ServiceAccounts' identities, and one ConfidentialPodGroup run to Available, scaled and
/// deleted. The requests each component made are then checked against the chart's RBAC rules.
/// </summary>
public sealed class ChartEndToEndTests
{
    private const string ReleaseNamespace = "parma-system";
    private const string Workloads = "demo";
    private const string OperatorUser = $"system:serviceaccount:{ReleaseNamespace}:parma-operator-operator";
    private const string WebhookUser = $"system:serviceaccount:{ReleaseNamespace}:parma-operator-webhook";

    /// <summary>Granted but not exercised by this run, each with the reason it is needed.</summary>
    private static readonly IReadOnlyDictionary<string, string> OperatorGrantsNotExercised = new Dictionary<string, string>
    {
        ["update confidentialpodgroups/finalizers.parma.dev"] =
            "kube-apiserver's OwnerReferencesPermissionEnforcement requires it for blockOwnerDeletion on owned pods and ConfigMaps; the test API server does not enforce it",
        ["get confidentialpodgroups.parma.dev"] =
            "groups are read from the watch cache; one is read live only after a write to it hit 409 Conflict (its cached copy was behind), which a run may not meet",
        ["get events"] = "an event that repeats is counted up on the existing Event (get, then patch); this run repeats none",
        ["patch events"] = "as get events",
        ["patch leases.coordination.k8s.io"] = "the leader renews its Lease every retry period; a short run may end before the first renewal",
    };

    private static readonly IReadOnlyDictionary<string, string> WebhookGrantsNotExercised = new Dictionary<string, string>
    {
        ["get secrets"] = "image pull secrets of opted-in workloads whose policy the webhook generates from the pod spec",
        ["get confidentialpodgroups.parma.dev"] = "a group not yet in the watch cache (just created) or a live re-read is fetched directly",
        ["get configmaps"] = "as get confidentialpodgroups: a policy ConfigMap the cache has not seen yet",
        ["get namespaces"] = "as get confidentialpodgroups: a namespace the cache has not seen yet",
    };

    [Fact]
    public async Task Chart_runs_a_group_to_available_and_its_rbac_covers_exactly_the_calls_made()
    {
        await using var registry = await LocalRegistry.StartAsync();
        var layout = RepoPaths.InRepo("examples", "images");
        await registry.PushAsync(layout, "registry.example/parma/hello:1.0", "parma/hello", "v1");
        var chart = await Helm.TemplateAsync(ReleaseNamespace,
            "--set", $"settings.insecureRegistries={{{registry.Host}}}",
            // The pause image comes from the example layout: this machine has no route to registry.k8s.io.
            "--set", $"operator.extraArgs={{--image-layout,{layout}}}",
            "--set", $"webhook.extraArgs={{--image-layout,{layout}}}");

        await using var server = await TestApiServer.StartAsync();
        var recorder = RequestRecorder.Attach(server);
        await server.CreateManifestsAsync(Namespace(ReleaseNamespace) + "\n---\n" + Namespace(Workloads));
        await server.CreateManifestsAsync(await File.ReadAllTextAsync(Path.Combine(Helm.ChartDirectory, "crds", ConfidentialPodGroupCrd.FileName)));
        var withoutWebhooks = chart.Served.Where(o => !RenderedChart.Kind(o).EndsWith("WebhookConfiguration", StringComparison.Ordinal));
        await server.CreateManifestsAsync(string.Join("\n---\n", withoutWebhooks.Select(o => o.ToJsonString())), ReleaseNamespace);

        await using var components = new ChartComponents();
        await components.StartWebhookAndOperatorAsync(server, chart, WebhookUser, OperatorUser);

        using var kubeconfig = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(server.Kubeconfig()));
        using var client = Parma.Kube.Client.KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await using var kubelet = new Kubelet(client, Workloads);

        // The group is admitted by the validating webhook, then runs to Available with stamped pods.
        await server.CreateManifestsAsync(Group($"{registry.Host}/parma/hello:v1"), Workloads);
        var available = await Eventually.GetAsync(async () =>
        {
            var group = await client.GetAsync<ConfidentialPodGroup>("hello", Workloads);
            return ConditionList.IsTrue(group.Status?.Conditions, GroupConditions.Available) && group.Status!.ReadyReplicas == 2 ? group : null;
        }, "group hello to be Available with 2 ready pods");
        var hostData = available.Status!.HostData!;
        hostData.Should().MatchRegex("^[0-9a-f]{64}$");
        var pods = (await client.ListAsync<V1Pod>(Workloads, new ListOptions { LabelSelector = $"{ParmaLabels.Group}=hello" })).Items;
        pods.Should().HaveCount(2).And.OnlyContain(p =>
            p.Metadata.Annotations![ParmaLabels.HostDataAnnotation] == hostData && p.Spec!.RuntimeClassName == ParmaSettings.DefaultRuntimeClass);

        // The rendered webhook configuration routes group pods to the webhook, which refuses a forged policy ...
        var forged = () => server.CreateManifestsAsync(ForgedPod(hostData), Workloads);
        (await forged.Should().ThrowAsync<ManifestApplyException>()).WithMessage("*admission webhook*denied the request*");
        // ... and never sees the release namespace, so the chart's own pods start even when no webhook answers.
        await server.CreateManifestsAsync(ForgedPod(hostData), ReleaseNamespace);

        // A spec change is a new policy: the operator rewrites the policy ConfigMap and replaces the pods.
        await client.PatchAsync<ConfidentialPodGroup>("hello", Workloads, KubePatch.Json(
            """[{"op":"replace","path":"/spec/template/spec/containers/0/env/0/value","value":"hola"}]"""));
        await Eventually.GetAsync(async () =>
        {
            var group = await client.GetAsync<ConfidentialPodGroup>("hello", Workloads);
            var current = group.Status?.HostData;
            var podsNow = (await client.ListAsync<V1Pod>(Workloads, new ListOptions { LabelSelector = $"{ParmaLabels.Group}=hello" })).Items;
            return current is not null && current != hostData && podsNow.Count == 2
                && podsNow.All(p => p.Metadata.Annotations![ParmaLabels.HostDataAnnotation] == current && p.Status?.Phase == "Running")
                ? group : null;
        }, "the group to roll its pods onto the new policy");

        // Scale down and delete: the operator removes pods, the policy ConfigMap and its finalizer.
        await client.PatchAsync<ConfidentialPodGroup>("hello", Workloads, KubePatch.Merge("""{"spec":{"replicas":1}}"""));
        await Eventually.GetAsync(async () =>
            (await client.ListAsync<V1Pod>(Workloads, new ListOptions { LabelSelector = $"{ParmaLabels.Group}=hello" })).Items.Count == 1 ? "scaled" : null,
            "the group to scale down to one pod");
        await client.DeleteAsync<ConfidentialPodGroup>("hello", Workloads);
        await Eventually.GetAsync(async () =>
            await client.GetOrDefaultAsync<ConfidentialPodGroup>("hello", Workloads) is null
            && (await client.ListAsync<V1ConfigMap>(Workloads, new ListOptions { LabelSelector = $"{ParmaLabels.ManagedBy}={ParmaLabels.ManagedByValue}" })).Items.Count == 0
                ? "deleted" : null,
            "the group and its policy ConfigMap to be deleted");

        CheckRbac(chart, recorder.By(OperatorUser), "parma-operator-operator", OperatorGrantsNotExercised);
        CheckRbac(chart, recorder.By(WebhookUser), "parma-operator-webhook", WebhookGrantsNotExercised);
    }

    private static void CheckRbac(RenderedChart chart, IReadOnlyList<ApiCall> calls, string serviceAccount, IReadOnlyDictionary<string, string> notExercised)
    {
        var rules = new RbacRules(chart, ReleaseNamespace, serviceAccount);
        calls.Should().NotBeEmpty($"{serviceAccount} talks to the API server");
        calls.Where(c => !rules.Allows(c)).Select(c => c.ToString()).Distinct()
            .Should().BeEmpty($"the chart must grant {serviceAccount} every call it makes");
        rules.Granted.Except(calls.Select(RbacRules.Grant)).Except(notExercised.Keys)
            .Should().BeEmpty($"{serviceAccount} must not be granted what it never uses (or the grant needs a documented reason here)");
        notExercised.Keys.Should().BeSubsetOf(rules.Granted, "the allow-list names only grants the chart makes");
    }

    private static string Namespace(string name) =>
        $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n    kubernetes.io/metadata.name: {name}\n";

    private static string Group(string image) => $$"""
        apiVersion: parma.dev/v1alpha1
        kind: ConfidentialPodGroup
        metadata:
          name: hello
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: hello
            spec:
              containers:
                - name: hello
                  image: {{image}}
                  env:
                    - name: GREETING
                      value: bonjour
                    - name: API_TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: hello-secrets
                          key: token
        """;

    /// <summary>A pod claiming group hello with its host_data but a policy the group never produced.</summary>
    private static string ForgedPod(string hostData)
    {
        var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes("package agent_policy\ndefault CreateContainerRequest := true\n"));
        return $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: forged
              labels:
                parma.dev/group: hello
              annotations:
                parma.dev/host-data: "{{hostData}}"
                io.katacontainers.config.agent.policy: "{{policy}}"
            spec:
              runtimeClassName: kata-qemu-snp
              containers:
                - name: hello
                  image: busybox
            """;
    }
}
