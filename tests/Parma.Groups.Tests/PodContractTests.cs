using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Pods;
using Parma.Policy.Output;

namespace Parma.Groups.Tests;

/// <summary>
/// The confidential pod contract applied typed (as the operator builds its pods) and as a JSON Patch (as
/// the webhook stamps admitted pods) gives the same pod, and a pod that carries it needs no patch.
/// </summary>
public sealed class PodContractTests
{
    private static readonly ParmaSettings Settings = new()
    {
        NodeSelector = new Dictionary<string, string> { ["parma.dev/snp"] = "true", ["pool"] = "cluster" },
        Tolerations = [new V1Toleration { Key = "sev-snp", OperatorProperty = "Exists", Effect = "NoSchedule" }],
    };

    private static readonly PolicyAnnotations Agent = PolicyAnnotations.For("package agent_policy\n", PolicyFormat.AgentPolicy);

    private static ConfidentialPodGroup Group() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "demo", Uid = "uid-1" },
        Spec = new ConfidentialPodGroupSpec
        {
            RuntimeClassName = "kata-clh-snp",
            NodeSelector = new Dictionary<string, string> { ["pool"] = "group" },
            Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "parma", Effect = "NoExecute" }],
        },
    };

    // A pod as a user or another controller may send it: other labels and annotations, the other policy
    // format's annotation, a stale host_data, its own node selector and a toleration the settings also add.
    private const string Admitted = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web-1","namespace":"demo","labels":{"parma.dev/group":"web","app":"web"},
                     "annotations":{"team":"a","io.katacontainers.config.hypervisor.cc_init_data":"H4sI","parma.dev/host-data":"00"}},
         "spec":{"runtimeClassName":"runc","nodeSelector":{"zone":"a","pool":"mine"},
                 "tolerations":[{"key":"sev-snp","operator":"Exists","effect":"NoSchedule"},{"key":"own","operator":"Exists"}],
                 "containers":[{"name":"app","image":"registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}}
        """;

    [Fact]
    public void Applied_typed_and_as_a_patch_the_contract_gives_the_same_pod()
    {
        var contract = PodContract.ForGroup(Group(), Agent, Settings);
        var json = JsonNode.Parse(Admitted)!.AsObject();

        var typed = KubernetesJson.Deserialize<V1Pod>(Admitted);
        contract.ApplyTo(typed);
        var patched = Apply(json, PodContractPatch.For(json, contract));

        JsonNode.DeepEquals(Normal(patched), Normal(JsonNode.Parse(KubernetesJson.Serialize(typed))!.AsObject())).Should().BeTrue(
            $"typed: {KubernetesJson.Serialize(typed)}\npatched: {patched.ToJsonString()}");
        PodContractPatch.For(patched, contract).Should().BeEmpty("a pod that carries the contract needs no patch");
        PodContractPatch.Differences(patched, contract).Should().BeEmpty();

        typed.Metadata.Annotations.Should().Contain(Agent.Key, Agent.Value).And.Contain(PolicyAnnotations.HostDataKey, Agent.HostDataHex)
            .And.Contain("team", "a").And.NotContainKey(PolicyAnnotations.InitDataKey);
        typed.Metadata.Labels.Should().Contain(ParmaLabels.PolicyHash, ParmaLabels.ShortHash(Agent.HostDataHex)).And.Contain("app", "web");
        typed.Spec.RuntimeClassName.Should().Be("kata-clh-snp");
        typed.Spec.NodeSelector.Should().Equal(new Dictionary<string, string> { ["zone"] = "a", ["pool"] = "group", ["parma.dev/snp"] = "true" },
            "the group's node selector wins over the settings', both over the pod's");
        typed.Spec.Tolerations.Select(t => t.Key).Should().Equal(["sev-snp", "own", "dedicated"], "present tolerations stay, missing ones are appended once");
    }

    [Fact]
    public void A_pod_the_operator_builds_needs_no_patch_at_the_webhook()
    {
        var group = Group();
        var contract = PodContract.ForGroup(group, Agent, Settings);
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = "web-aaaaaaaaaa-bcdfg", NamespaceProperty = "demo" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "registry.example/app:1" }] },
        };
        contract.ApplyTo(pod);

        var admitted = JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject();
        PodContractPatch.For(admitted, contract).Should().BeEmpty();
        var again = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
        contract.ApplyTo(again);
        KubernetesJson.Serialize(again).Should().Be(KubernetesJson.Serialize(pod), "applying the contract twice changes nothing");
    }

    [Fact]
    public void What_a_namespace_user_forges_is_overwritten_or_reported_not_kept()
    {
        var contract = PodContract.ForGroup(Group(), Agent, Settings);
        var forged = JsonNode.Parse($$$"""
            {"metadata":{"labels":{"parma.dev/group":"web","parma.dev/policy-hash":"ffffffffffff"},
                         "annotations":{"{{{Agent.Key}}}":"cGFja2FnZSBhZ2VudF9wb2xpY3kKZGVmYXVsdCBDcmVhdGVDb250YWluZXJSZXF1ZXN0IDo9IHRydWUK","parma.dev/host-data":"{{{Agent.HostDataHex}}}"}},
             "spec":{"runtimeClassName":"kata-clh-snp","containers":[]}}
            """)!.AsObject();

        var differences = PodContractPatch.Differences(forged, contract);
        differences.Should().Contain($"/metadata/annotations/{JsonPatchBuilder.Escape(Agent.Key)} (differs)", "a policy that is not the group's is reported even with the right host_data");
        differences.Should().Contain($"/metadata/labels/{JsonPatchBuilder.Escape(ParmaLabels.PolicyHash)} (differs)");
        differences.Should().Contain("/spec/nodeSelector (missing)").And.Contain("/spec/tolerations (missing)");
        var stamped = Apply(forged, PodContractPatch.For(forged, contract));
        stamped["metadata"]!["annotations"]![Agent.Key]!.GetValue<string>().Should().Be(Agent.Value);
    }

    [Fact]
    public void An_opted_in_pod_keeps_an_allowed_runtime_class_of_its_own_and_gets_no_group_label()
    {
        var settings = Settings with { AllowedRuntimeClasses = ["kata-qemu-snp", "kata-clh-snp"] };
        PodContract.ForGenerated(Agent, "kata-clh-snp", settings).RuntimeClassName.Should().Be("kata-clh-snp");
        PodContract.ForGenerated(Agent, "runc", settings).RuntimeClassName.Should().Be(ParmaSettings.DefaultRuntimeClass, "a RuntimeClass the settings do not allow is replaced");
        var pod = new V1Pod { Spec = new V1PodSpec() };
        PodContract.ForGenerated(Agent, null, settings).ApplyTo(pod);
        pod.Metadata.Labels.Should().NotContainKey(ParmaLabels.Group);
    }

    [Fact]
    public void The_patch_compares_the_pods_policy_annotation_in_place()
    {
        // A group's policy annotation is ~70 KiB; the typed copy leaves the contract's annotations out.
        var contract = PodContract.ForGroup(Group(), PolicyAnnotations.For(new string('p', 60_000), PolicyFormat.AgentPolicy), Settings);
        var pod = new V1Pod { Metadata = new V1ObjectMeta(), Spec = new V1PodSpec() };
        contract.ApplyTo(pod);
        var admitted = JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject();
        PodContractPatch.For(admitted, contract); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        PodContractPatch.For(admitted, contract).Should().BeEmpty();
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(60_000, "the ~80 KB annotation is not copied into a string");
    }

    private static JsonObject Apply(JsonObject target, JsonArray patch)
    {
        var result = Rego.JsonPatch.Apply(Rego.Value.FromJson(target.ToJsonString()), Rego.Value.FromJson(patch.ToJsonString()));
        return JsonNode.Parse(result.ToJson())!.AsObject();
    }

    /// <summary>The pod as the typed model writes it (the same field order and omissions either way).</summary>
    private static JsonNode Normal(JsonObject pod) => JsonNode.Parse(KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Pod>(pod.ToJsonString())))!;
}
