using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Kube.Client;
using Parma.Kube.Errors;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Policy.Output;
using Parma.Testing.ApiServer;

namespace Parma.Webhook.Tests;

/// <summary>
/// Attempts to get a pod past the pod webhooks, each through the test API server (which calls the real
/// webhook over HTTPS like kube-apiserver): an update that turns a plain pod into a group pod, a
/// controller ownerReference to a group, a policy the pod brings itself, and labels that look like
/// Parma's own. Each is refused with its reason, or (where the create would be admitted) admitted as a
/// create would be.
/// </summary>
[Collection(WebhookCollection.Name)]
public sealed class BypassTests(WebhookFixture f)
{
    private static readonly string ForeignPolicy = "package agent_policy\n\ndefault CreateContainerRequest := true\ndefault ExecProcessRequest := true\n";

    /// <summary>A pod with the group's RuntimeClass, node pool and containers that claims nothing: no label, owner or policy.</summary>
    private JsonObject PlainKataPod(string name, string ns = WebhookFixture.GroupNamespace)
    {
        var pod = f.OperatorPod(name);
        pod["metadata"]!["namespace"] = ns;
        pod["metadata"]!["labels"] = new JsonObject { ["app"] = "hello" };
        pod["metadata"]!.AsObject().Remove("annotations");
        return pod;
    }

    private static JsonObject ForeignAnnotations(string? hostData = null)
    {
        var annotations = PolicyAnnotations.For(ForeignPolicy, PolicyFormat.AgentPolicy);
        return new JsonObject { [annotations.Key] = annotations.Value, [PolicyAnnotations.HostDataKey] = hostData ?? annotations.HostDataHex };
    }

    private async Task<string> GroupUidAsync() => (await f.Client.GetAsync<ConfidentialPodGroup>(WebhookFixture.GroupName, WebhookFixture.GroupNamespace)).Metadata.Uid!;

    private static JsonObject OwnerReference(string name, string uid) => new()
    {
        ["apiVersion"] = ParmaApi.ApiVersion,
        ["kind"] = ParmaApi.Kind,
        ["name"] = name,
        ["uid"] = uid,
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private async Task<string> PatchRefusedAsync(string name, string ns, JsonNode mergePatch)
    {
        var act = () => f.Client.PatchAsync<V1Pod>(name, ns, KubePatch.Merge(mergePatch));
        var refusal = await act.Should().ThrowAsync<KubeApiException>();
        return refusal.Which.Message;
    }

    private async Task<string> CreateRefusedAsync(JsonObject pod)
    {
        var act = () => f.CreatePodAsync(pod);
        return (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message;
    }

    [Fact]
    public async Task An_update_that_gives_a_running_plain_pod_its_group_s_label_and_stamp_is_refused_as_its_create_would_be()
    {
        var plain = f.UserPod("plain-then-labelled");
        plain["metadata"]!["labels"]!.AsObject().Remove(ParmaLabels.Group);
        await f.CreatePodAsync(plain);

        // The attacker copies everything a group pod carries in metadata onto a pod that runs outside the group's RuntimeClass.
        var stamp = f.OperatorPod()["metadata"]!;
        var message = await PatchRefusedAsync("plain-then-labelled", WebhookFixture.GroupNamespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = stamp["labels"]!.DeepClone(), ["annotations"] = stamp["annotations"]!.DeepClone() },
        });

        message.Should().Contain($"this update makes the pod claim ConfidentialPodGroup {WebhookFixture.GroupNamespace}/{WebhookFixture.GroupName}")
            .And.Contain("/spec/runtimeClassName (missing)").And.Contain("a pod becomes confidential only when it is created");
        var stored = await f.Client.GetAsync<V1Pod>("plain-then-labelled", WebhookFixture.GroupNamespace);
        stored.Metadata.Labels!.Should().NotContainKey(ParmaLabels.Group);
        stored.Metadata.Annotations.Should().BeNull();
    }

    [Fact]
    public async Task An_update_that_gives_a_plain_pod_a_group_label_and_a_policy_of_its_own_is_refused_as_tampered()
    {
        await f.CreatePodAsync(PlainKataPod("plain-kata-foreign"));

        var message = await PatchRefusedAsync("plain-kata-foreign", WebhookFixture.GroupNamespace, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = new JsonObject { [ParmaLabels.Group] = WebhookFixture.GroupName },
                ["annotations"] = ForeignAnnotations(),
            },
        });

        message.Should().Contain($"does not carry what ConfidentialPodGroup {WebhookFixture.GroupNamespace}/{WebhookFixture.GroupName} produces")
            .And.Contain("/metadata/annotations/io.katacontainers.config.agent.policy (differs)");
    }

    [Fact]
    public async Task An_update_that_labels_a_pending_kata_pod_into_its_group_is_stamped_and_admitted_as_its_create_would_be()
    {
        await f.CreatePodAsync(PlainKataPod("plain-kata-joins"));

        var joined = await f.Client.PatchAsync<V1Pod>("plain-kata-joins", WebhookFixture.GroupNamespace,
            KubePatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [ParmaLabels.Group] = WebhookFixture.GroupName } } }));

        joined.Metadata.Annotations![PolicyAnnotations.AgentPolicyKey].Should().Be(f.Policy.Annotations.Value);
        joined.Metadata.Annotations![PolicyAnnotations.HostDataKey].Should().Be(f.Policy.HostDataHex);
        joined.Metadata.Labels![ParmaLabels.PolicyHash].Should().Be(ParmaLabels.ShortHash(f.Policy.HostDataHex));
    }

    [Fact]
    public async Task An_update_that_gives_a_plain_pod_a_controller_owner_reference_to_a_group_is_refused()
    {
        await f.CreatePodAsync(PlainKataPod("plain-owned"));

        var message = await PatchRefusedAsync("plain-owned", WebhookFixture.GroupNamespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["ownerReferences"] = new JsonArray(OwnerReference(WebhookFixture.GroupName, await GroupUidAsync())) },
        });

        message.Should().Contain($"metadata.ownerReferences names ConfidentialPodGroup {WebhookFixture.GroupName} as the pod's controller, but the pod has no label {ParmaLabels.Group}");
    }

    [Fact]
    public async Task An_update_that_gives_a_plain_pod_in_an_opted_in_namespace_a_policy_of_its_own_is_refused()
    {
        await f.CreatePodAsync(PlainKataPod("plain-optin-foreign", WebhookFixture.OptInNamespace));

        var message = await PatchRefusedAsync("plain-optin-foreign", WebhookFixture.OptInNamespace,
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = ForeignAnnotations() } });

        message.Should().Contain("the pod carries a policy of its own").And.Contain("which is not an allowed source");
    }

    [Fact]
    public async Task The_owner_of_an_admitted_group_pod_cannot_be_changed_by_an_update()
    {
        var pod = f.OperatorPod("hello-owned-update");
        pod["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(WebhookFixture.GroupName, await GroupUidAsync()));
        await f.CreatePodAsync(pod);

        var message = await PatchRefusedAsync("hello-owned-update", WebhookFixture.GroupNamespace,
            new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = new JsonArray() } });

        message.Should().Contain("these cannot change: metadata.ownerReferences (controller ConfidentialPodGroup)");
    }

    [Fact]
    public async Task A_group_pod_whose_owner_reference_names_another_group_or_uid_is_refused()
    {
        var otherGroup = f.OperatorPod("hello-owner-other");
        otherGroup["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference("goodbye", "00000000-0000-0000-0000-000000000001"));
        (await CreateRefusedAsync(otherGroup)).Should().Contain($"names ConfidentialPodGroup goodbye as the pod's controller, but label {ParmaLabels.Group} names {WebhookFixture.GroupName}");

        var otherUid = f.OperatorPod("hello-owner-uid");
        otherUid["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(WebhookFixture.GroupName, "00000000-0000-0000-0000-000000000002"));
        (await CreateRefusedAsync(otherUid)).Should().Contain("with uid 00000000-0000-0000-0000-000000000002, but")
            .And.Contain($"{WebhookFixture.GroupNamespace}/{WebhookFixture.GroupName} has uid {await GroupUidAsync()}");

        var owned = f.OperatorPod("hello-owner-right");
        owned["metadata"]!["ownerReferences"] = new JsonArray(OwnerReference(WebhookFixture.GroupName, await GroupUidAsync()));
        await f.CreatePodAsync(owned);
    }

    [Fact]
    public async Task Labels_that_look_like_parma_s_own_exempt_no_pod()
    {
        var pod = f.OperatorPod("hello-self-declared");
        pod["metadata"]!["labels"]!["app.kubernetes.io/part-of"] = "parma";
        pod["metadata"]!["labels"]![ParmaLabels.ManagedBy] = ParmaLabels.ManagedByValue;
        pod["metadata"]!["annotations"] = ForeignAnnotations();

        (await CreateRefusedAsync(pod)).Should().Contain("/metadata/annotations/io.katacontainers.config.agent.policy (differs)");
    }

    [Fact]
    public async Task A_pod_in_an_opted_in_namespace_that_brings_its_own_policy_is_refused_naming_the_allowed_sources()
    {
        var own = PlainKataPod("own-policy", WebhookFixture.OptInNamespace);
        own["metadata"]!["annotations"] = ForeignAnnotations();
        (await CreateRefusedAsync(own)).Should().Contain("the pod carries a policy of its own (metadata.annotations[io.katacontainers.config.agent.policy], metadata.annotations[parma.dev/host-data])")
            .And.Contain("which is not an allowed source").And.Contain($"its ConfidentialPodGroup (label {ParmaLabels.Group})")
            .And.Contain($"annotation {ParmaLabels.GeneratePolicy}: \"true\"");

        var initData = PolicyAnnotations.For(ForeignPolicy, PolicyFormat.InitData);
        var ownInitData = PlainKataPod("own-initdata", WebhookFixture.OptInNamespace);
        ownInitData["metadata"]!["annotations"] = new JsonObject { [initData.Key] = initData.Value, [PolicyAnnotations.HostDataKey] = initData.HostDataHex };
        (await CreateRefusedAsync(ownInitData)).Should().Contain("metadata.annotations[io.katacontainers.config.hypervisor.cc_init_data]").And.Contain("which is not an allowed source");

        var hostDataOnly = PlainKataPod("own-host-data", WebhookFixture.OptInNamespace);
        hostDataOnly["metadata"]!["annotations"] = new JsonObject { [PolicyAnnotations.HostDataKey] = f.Policy.HostDataHex };
        (await CreateRefusedAsync(hostDataOnly)).Should().Contain("but no policy annotation it could be the hash of");
    }

    [Fact]
    public async Task A_carried_policy_whose_host_data_is_not_its_hash_is_refused_with_both_hashes()
    {
        var expected = HostData.ToHex(HostData.OfPolicy(ForeignPolicy));
        var agentPolicy = PlainKataPod("wrong-host-data", WebhookFixture.OptInNamespace);
        agentPolicy["metadata"]!["annotations"] = ForeignAnnotations(hostData: f.Policy.HostDataHex);
        (await CreateRefusedAsync(agentPolicy)).Should().Contain($"parma.dev/host-data is {f.Policy.HostDataHex}, but the policy in io.katacontainers.config.agent.policy hashes to {expected}");

        var initData = PolicyAnnotations.For(ForeignPolicy, PolicyFormat.InitData);
        var ownInitData = PlainKataPod("wrong-host-data-initdata", WebhookFixture.OptInNamespace);
        ownInitData["metadata"]!["annotations"] = new JsonObject { [initData.Key] = initData.Value, [PolicyAnnotations.HostDataKey] = f.Policy.HostDataHex };
        (await CreateRefusedAsync(ownInitData)).Should().Contain($"but the policy in io.katacontainers.config.hypervisor.cc_init_data hashes to {initData.HostDataHex}");

        // A group pod carrying a changed policy: the message says it is not the group's, and not even its own host_data's.
        var group = f.OperatorPod("hello-wrong-host-data");
        group["metadata"]!["annotations"] = ForeignAnnotations(hostData: f.Policy.HostDataHex);
        (await CreateRefusedAsync(group)).Should().Contain("/metadata/annotations/io.katacontainers.config.agent.policy (differs)")
            .And.Contain($"does not even match its own host_data: parma.dev/host-data is {f.Policy.HostDataHex}, but the policy in io.katacontainers.config.agent.policy hashes to {expected}");
    }

    [Fact]
    public async Task A_gzip_bomb_in_an_initdata_annotation_is_refused_without_inflating_it()
    {
        var bomb = Convert.ToBase64String(PolicyAnnotations.Gzip(new byte[64 * 1024 * 1024]));
        var pod = PlainKataPod("initdata-bomb", WebhookFixture.OptInNamespace);
        pod["metadata"]!["annotations"] = new JsonObject { [PolicyAnnotations.InitDataKey] = bomb, [PolicyAnnotations.HostDataKey] = f.Policy.HostDataHex };

        (await CreateRefusedAsync(pod)).Should().Contain($"decompresses to more than {PolicyAnnotations.MaxDecodedBytes} bytes");
    }

    [Fact]
    public async Task A_pod_with_a_policy_but_no_group_claim_in_a_namespace_that_did_not_opt_in_is_not_judged()
    {
        // Decision (docs/webhook.md): nothing in Parma reads a policy from a pod that claims no group, and the
        // chart's configurations do not send such pods from namespaces that did not opt in.
        var pod = PlainKataPod("not-ours", WebhookFixture.OtherNamespace);
        pod["metadata"]!["annotations"] = ForeignAnnotations(hostData: new string('a', 64));

        foreach (var path in new[] { "/mutate/pods", "/validate/pods" })
        {
            var answer = await f.ReviewAsync(path, pod, WebhookFixture.OtherNamespace);
            answer["allowed"]!.GetValue<bool>().Should().BeTrue(path);
            answer.ContainsKey("patch").Should().BeFalse(path);
        }

        // Claiming a group there is judged: the group is in another namespace.
        pod["metadata"]!["labels"]![ParmaLabels.Group] = WebhookFixture.GroupName;
        (await f.ReviewAsync("/validate/pods", pod, WebhookFixture.OtherNamespace))["status"]!["message"]!.GetValue<string>()
            .Should().Contain($"ConfidentialPodGroup {WebhookFixture.GroupName} is in namespace {WebhookFixture.GroupNamespace}");
    }
}
