using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Events;
using Parma.Operator.Tests.Support;
using Parma.Policy.Output;

namespace Parma.Operator.Tests;

/// <summary>A group becomes a policy ConfigMap, a status and pods that all name the same host_data and image digests.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ReconcileTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await OperatorHarness.StartAsync(images);
        await _harness.StartOperatorAsync();
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_group_gets_pods_whose_policy_annotation_hashes_to_the_status_host_data()
    {
        await _harness.CreateGroupAsync("web", images.Hello, replicas: 2);
        var group = await _harness.WaitRolledOutAsync("web", 2);

        var status = group.Status!;
        status.HostData.Should().MatchRegex(Patterns.HostDataHex);
        status.PolicyHash.Should().Be(status.HostData![..12]);
        status.Selector.Should().Be("parma.dev/group=web");
        status.ObservedGeneration.Should().Be(group.Metadata.Generation);
        status.PolicyRef!.Name.Should().Be("web-policy");
        status.PolicyRef.Key.Should().Be("policy.rego");
        status.PolicyRef.Format.Should().Be("agent-policy");
        status.Images.Should().ContainSingle();
        status.Images![0].Reference.Should().Be(images.Hello);
        status.Images[0].Digest.Should().Be(images.HelloDigest);
        status.Images[0].Pinned.Should().Be($"{images.Registry.Host}/parma/hello@{images.HelloDigest}");
        status.Images[0].Layers.Should().NotBeEmpty().And.OnlyContain(l => Regex.IsMatch(l.RootHash, "^[0-9a-f]{64}$"));
        OperatorHarness.Condition(group, GroupConditions.PolicyReady).Should().Be("True/PolicyGenerated");
        OperatorHarness.Condition(group, GroupConditions.Available).Should().Be("True/MinimumReplicasAvailable");
        OperatorHarness.Condition(group, GroupConditions.Degraded).Should().Be("False/AsExpected");
        await Eventually.TrueAsync(async () => OperatorHarness.Condition(await _harness.GroupAsync("web"), GroupConditions.Progressing) == "False/RolloutComplete", "rollout complete");
        group.Metadata.Finalizers.Should().Contain(ParmaLabels.Finalizer);

        var configMap = await _harness.Client.GetAsync<V1ConfigMap>("web-policy", "default");
        var policyText = configMap.Data![PolicyConfigMapKey];
        Sha256Hex(Encoding.UTF8.GetBytes(policyText)).Should().Be(status.HostData, "host_data is SHA-256 of the exact policy text");
        configMap.Data["host-data"].Should().Be(status.HostData);
        configMap.Metadata.OwnerReferences.Should().ContainSingle(o => o.Uid == group.Metadata.Uid && o.Controller == true);
        policyText.Should().Contain(status.Images[0].Pinned, "the policy names the image by the digest the pods run");

        foreach (var pod in await _harness.PodsAsync("web"))
        {
            var annotation = pod.Metadata.Annotations![PolicyAnnotations.AgentPolicyKey];
            var decoded = Convert.FromBase64String(annotation);
            Sha256Hex(decoded).Should().Be(pod.Metadata.Annotations[ParmaLabels.HostDataAnnotation]);
            Encoding.UTF8.GetString(decoded).Should().Be(policyText);
            pod.Metadata.Annotations[ParmaLabels.HostDataAnnotation].Should().Be(status.HostData);
            pod.Metadata.Labels![ParmaLabels.Group].Should().Be("web");
            pod.Metadata.Labels[ParmaLabels.PolicyHash].Should().Be(status.PolicyHash);
            pod.Metadata.Labels["app"].Should().Be("web", "template labels are kept");
            pod.Metadata.Name.Should().MatchRegex($"^web-{status.HostData[..10]}-[a-z0-9]{{5}}$", "the policy accepts sandboxes named like that");
            pod.Metadata.OwnerReferences.Should().ContainSingle(o => o.Uid == group.Metadata.Uid && o.Controller == true && o.BlockOwnerDeletion == true);
            pod.Spec!.RuntimeClassName.Should().Be(ParmaSettings.DefaultRuntimeClass);
            pod.Spec.Containers.Single().Image.Should().Be(status.Images[0].Pinned);
        }

        var events = await _harness.Client.ListAsync<Corev1Event>("default");
        events.Items.Should().Contain(e => e.Reason == GroupConditions.Reasons.PolicyGenerated
            && e.InvolvedObject.Uid == group.Metadata.Uid && e.InvolvedObject.Kind == ParmaApi.Kind && e.Type == "Normal"
            && e.Message!.Contains(status.HostData, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pod_deleted_by_hand_is_recreated()
    {
        await _harness.CreateGroupAsync("solo", images.Hello, replicas: 2);
        await _harness.WaitRolledOutAsync("solo", 2);
        var victim = (await _harness.PodsAsync("solo"))[0];

        await _harness.Client.DeleteAsync<V1Pod>(victim.Metadata.Name!, "default");

        await Eventually.TrueAsync(async () =>
        {
            var pods = await _harness.PodsAsync("solo");
            return pods.Count == 2 && pods.All(p => p.Metadata.Uid != victim.Metadata.Uid && p.Status?.Phase == "Running");
        }, "a replacement pod");
        var group = await _harness.WaitRolledOutAsync("solo", 2);
        (await _harness.PodsAsync("solo")).Select(p => p.Metadata.Uid).Should().NotContain(victim.Metadata.Uid);
        group.Status!.ReadyReplicas.Should().Be(2);
    }

    [Fact]
    public async Task Scaling_changes_the_number_of_pods_under_the_same_policy()
    {
        await _harness.CreateGroupAsync("scale", images.Hello, replicas: 1);
        var before = await _harness.WaitRolledOutAsync("scale", 1);

        await _harness.PatchGroupAsync("scale", """{"spec":{"replicas":3}}""");
        var up = await _harness.WaitRolledOutAsync("scale", 3);
        up.Status!.HostData.Should().Be(before.Status!.HostData, "the replica count is not part of the policy");

        await _harness.PatchGroupAsync("scale", """{"spec":{"replicas":1}}""");
        await _harness.WaitRolledOutAsync("scale", 1);
    }

    [Fact]
    public async Task Deleting_a_group_removes_its_pods_and_policy_and_then_the_finalizer()
    {
        await _harness.CreateGroupAsync("gone", images.Hello, replicas: 2);
        await _harness.WaitRolledOutAsync("gone", 2);

        await _harness.Client.DeleteAsync<ConfidentialPodGroup>("gone", "default");

        await Eventually.TrueAsync(async () => await _harness.Client.GetOrDefaultAsync<ConfidentialPodGroup>("gone", "default") is null, "the group to be deleted");
        (await _harness.PodsAsync("gone")).Should().BeEmpty();
        (await _harness.Client.GetOrDefaultAsync<V1ConfigMap>("gone-policy", "default")).Should().BeNull();
    }

    [Fact]
    public async Task The_initdata_format_stamps_cc_init_data_whose_digest_is_the_host_data()
    {
        await _harness.CreateGroupAsync("init", images.Hello, replicas: 1, extraSpec: "  policy:\n    format: initdata");
        var group = await _harness.WaitRolledOutAsync("init", 1);

        group.Status!.PolicyRef!.Format.Should().Be("initdata");
        var pod = (await _harness.PodsAsync("init")).Single();
        var toml = PolicyAnnotations.Gunzip(Convert.FromBase64String(pod.Metadata.Annotations![PolicyAnnotations.InitDataKey]));
        Sha256Hex(toml).Should().Be(group.Status.HostData);
        pod.Metadata.Annotations.Should().NotContainKey(PolicyAnnotations.AgentPolicyKey);
    }

    [Fact]
    public async Task Node_selection_and_runtime_class_come_from_the_spec()
    {
        await _harness.CreateGroupAsync("placed", images.Hello, replicas: 1, extraSpec: """
              runtimeClassName: kata-clh-snp
              nodeSelector:
                amd.com/sev-snp: "true"
              tolerations:
                - key: snp
                  operator: Exists
                  effect: NoSchedule
            """);
        await _harness.WaitRolledOutAsync("placed", 1);

        var pod = (await _harness.PodsAsync("placed")).Single();
        pod.Spec!.RuntimeClassName.Should().Be("kata-clh-snp");
        pod.Spec.NodeSelector.Should().Contain("amd.com/sev-snp", "true");
        pod.Spec.Tolerations.Should().ContainSingle(t => t.Key == "snp" && t.OperatorProperty == "Exists");
    }

    private const string PolicyConfigMapKey = "policy.rego";

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
