using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Inputs;

namespace Parma.Groups.Tests;

/// <summary>
/// Registry credentials as the kubelet picks them: the pod's imagePullSecrets, else its ServiceAccount's,
/// then the group's spec.policy.imagePullSecrets; legacy kubernetes.io/dockercfg Secrets count like
/// kubernetes.io/dockerconfigjson ones; the first Secret with credentials for a registry is used.
/// </summary>
public sealed class PullSecretTests
{
    private const string Ns = "demo";
    private const string Registry = "registry.example:5000";

    [Fact]
    public void Order_is_the_pods_then_the_groups_and_the_service_account_only_when_the_pod_names_none()
    {
        var serviceAccount = new V1ServiceAccount { ImagePullSecrets = [Ref("sa-1"), Ref("shared")] };
        var group = new GroupPolicySpec { ImagePullSecrets = [Ref("group-1"), Ref("pod-1")] };

        PullSecretOrder.Names(new V1PodSpec { ImagePullSecrets = [Ref("pod-1"), Ref("pod-2")] }, serviceAccount, group)
            .Should().Equal(["pod-1", "pod-2", "group-1"], "the pod's come first as the kubelet tries them, the group's after, each once");
        PullSecretOrder.NeedsServiceAccount(new V1PodSpec { ImagePullSecrets = [Ref("pod-1")] }).Should().BeFalse();
        PullSecretOrder.Names(new V1PodSpec(), serviceAccount, group)
            .Should().Equal(["sa-1", "shared", "group-1", "pod-1"], "a pod without pull secrets gets its ServiceAccount's at admission");
        PullSecretOrder.Names(new V1PodSpec { ImagePullSecrets = [] }, null, null).Should().BeEmpty();
    }

    [Fact]
    public async Task A_legacy_dockercfg_secret_is_read_like_a_dockerconfigjson_one_and_the_first_with_credentials_wins()
    {
        var inputs = new InMemoryInputs();
        inputs.Secrets[$"{Ns}/legacy"] = Secret("legacy", "kubernetes.io/dockercfg", ".dockercfg", new JsonObject { [Registry] = Auth("legacy", "pw") });
        inputs.Secrets[$"{Ns}/modern"] = Secret("modern", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
            new JsonObject { ["auths"] = new JsonObject { [Registry] = Auth("modern", "pw"), ["other.example"] = Auth("other", "pw") } });

        var spec = new V1PodSpec { ImagePullSecrets = [Ref("legacy")] };
        var credentials = await PullSecretCredentials.ReadAsync(inputs, Ns, spec, new GroupPolicySpec { ImagePullSecrets = [Ref("modern")] }, CancellationToken.None);

        credentials.Secrets.Should().Equal("legacy", "modern");
        credentials.FindWithSource(Registry)!.Value.Secret.Should().Be("legacy", "the pod's secret comes before the group's");
        credentials.Find(Registry)!.Username.Should().Be("legacy");
        credentials.FindWithSource("other.example")!.Value.Secret.Should().Be("modern", "a registry only the later secret knows is found there");
        credentials.Find("unknown.example").Should().BeNull();
        inputs.Reads.Should().NotContain(r => r.StartsWith("ServiceAccount", StringComparison.Ordinal), "the pod names its pull secrets");
    }

    [Fact]
    public async Task A_pod_without_pull_secrets_takes_its_service_accounts()
    {
        var inputs = new InMemoryInputs();
        inputs.Secrets[$"{Ns}/legacy"] = Secret("legacy", "kubernetes.io/dockercfg", ".dockercfg", new JsonObject { [Registry] = Auth("legacy", "pw") });
        inputs.ServiceAccounts[$"{Ns}/puller"] = new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "puller" }, ImagePullSecrets = [Ref("legacy")] };

        var credentials = await PullSecretCredentials.ReadAsync(inputs, Ns, new V1PodSpec { ServiceAccountName = "puller" }, null, CancellationToken.None);
        credentials.FindWithSource(Registry)!.Value.Secret.Should().Be("legacy");

        var none = await PullSecretCredentials.ReadAsync(inputs, Ns, new V1PodSpec(), null, CancellationToken.None);
        none.IsEmpty.Should().BeTrue("the default ServiceAccount does not exist here");
        none.Key.Should().BeEmpty();
        inputs.Reads.Should().Contain($"ServiceAccount {Ns}/default");
    }

    [Fact]
    public async Task Secrets_the_kubelet_would_not_use_are_skipped_and_a_broken_one_is_named()
    {
        var inputs = new InMemoryInputs();
        // The kubelet reads .dockercfg only from a kubernetes.io/dockercfg Secret, and .dockerconfigjson only from its own type.
        inputs.Secrets[$"{Ns}/opaque"] = Secret("opaque", "Opaque", ".dockercfg", new JsonObject { [Registry] = Auth("opaque", "pw") });
        inputs.Secrets[$"{Ns}/mislabelled"] = Secret("mislabelled", "kubernetes.io/dockercfg", ".dockerconfigjson", new JsonObject { ["auths"] = new JsonObject { [Registry] = Auth("x", "pw") } });
        inputs.Secrets[$"{Ns}/empty"] = new V1Secret { Type = "kubernetes.io/dockerconfigjson", Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = [] } };
        var spec = new V1PodSpec { ImagePullSecrets = [Ref("missing"), Ref("opaque"), Ref("mislabelled"), Ref("empty")] };

        var credentials = await PullSecretCredentials.ReadAsync(inputs, Ns, spec, null, CancellationToken.None);
        credentials.IsEmpty.Should().BeTrue();

        inputs.Secrets[$"{Ns}/broken"] = new V1Secret { Type = "kubernetes.io/dockercfg", Data = new Dictionary<string, byte[]> { [".dockercfg"] = Encoding.UTF8.GetBytes("{not json") } };
        var broken = () => PullSecretCredentials.ReadAsync(inputs, Ns, new V1PodSpec { ImagePullSecrets = [Ref("broken")] }, null, CancellationToken.None);
        var thrown = (await broken.Should().ThrowAsync<GroupInputException>()).Which;
        thrown.Reason.Should().Be(GroupConditions.Reasons.InvalidPullSecret);
        thrown.Message.Should().Contain($"{Ns}/broken").And.Contain(".dockercfg");
    }

    [Fact]
    public async Task The_operators_typed_template_and_the_webhooks_admitted_pod_give_the_same_credentials()
    {
        var inputs = new InMemoryInputs();
        inputs.Secrets[$"{Ns}/legacy"] = Secret("legacy", "kubernetes.io/dockercfg", ".dockercfg", new JsonObject { [Registry] = Auth("legacy", "pw") });
        inputs.Secrets[$"{Ns}/stale"] = Secret("stale", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", new JsonObject { ["auths"] = new JsonObject { [Registry] = Auth("stale", "old") } });
        var group = KubernetesJson.Deserialize<ConfidentialPodGroup>("""
            {"apiVersion":"parma.dev/v1alpha1","kind":"ConfidentialPodGroup","metadata":{"name":"g","namespace":"demo"},
             "spec":{"policy":{"imagePullSecrets":[{"name":"stale"}]},
                     "template":{"spec":{"imagePullSecrets":[{"name":"legacy"}],"containers":[{"name":"a","image":"registry.example:5000/a:1"}]}}}}
            """);
        // The webhook sees the pod the operator made from the template, as JSON, with the contract's fields added.
        var admitted = JsonNode.Parse(KubernetesJson.Serialize(group.Spec.Template.Spec))!.AsObject();
        admitted["runtimeClassName"] = "kata-qemu-snp";
        var webhookSpec = KubernetesJson.Deserialize<V1PodSpec>(admitted.ToJsonString());

        var operatorSide = await PullSecretCredentials.ReadAsync(inputs, Ns, group.Spec.Template.Spec, group.Spec.Policy, CancellationToken.None);
        var webhookSide = await PullSecretCredentials.ReadAsync(inputs, Ns, webhookSpec, group.Spec.Policy, CancellationToken.None);

        webhookSide.Key.Should().Be(operatorSide.Key).And.NotBeEmpty();
        webhookSide.FindWithSource(Registry)!.Value.Secret.Should().Be("legacy").And.Be(operatorSide.FindWithSource(Registry)!.Value.Secret);
    }

    private static V1LocalObjectReference Ref(string name) => new() { Name = name };

    private static JsonObject Auth(string user, string password) => new() { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")) };

    private static V1Secret Secret(string name, string type, string key, JsonObject payload) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Type = type,
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(payload.ToJsonString()) },
    };
}
