using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Microsoft.Extensions.DependencyInjection;
using Parma.Api;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;
using Parma.Webhook.Generation;

namespace Parma.Webhook.Tests;

/// <summary>Ordinary workloads that opt in get a policy generated at admission, with the image resolved from a real registry.</summary>
[Collection(WebhookCollection.Name)]
public sealed class OptInGenerationTests(WebhookFixture f)
{
    private JsonObject DeploymentPod(string replicaSet) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["generateName"] = $"{replicaSet}-",
            ["namespace"] = WebhookFixture.OptInNamespace,
            ["labels"] = new JsonObject { ["app"] = "web", ["pod-template-hash"] = replicaSet[4..] },
            ["annotations"] = new JsonObject { [ParmaLabels.GeneratePolicy] = "true" },
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "web",
                ["image"] = f.HelloImage,
                ["command"] = new JsonArray("/app/hello.sh"),
                ["args"] = new JsonArray("--port", "8080"),
            }),
        },
    };

    /// <summary>Like the ReplicaSet controller: metadata.generateName, the server picks the name.</summary>
    private async Task<JsonObject> CreateWithGeneratedNameAsync(JsonObject pod)
    {
        var typed = KubernetesJson.Deserialize<V1Pod>(pod);
        var created = await f.Client.CreateAsync(typed);
        return JsonNode.Parse(KubernetesJson.Serialize(created))!.AsObject();
    }

    [Fact]
    public async Task Replicas_of_an_opted_in_deployment_get_one_generated_policy_that_allows_them()
    {
        var generations = f.App.Services.GetRequiredService<OptInPolicies>().Generations;

        var first = await CreateWithGeneratedNameAsync(DeploymentPod("web-5d8f9c7b6"));
        var second = await CreateWithGeneratedNameAsync(DeploymentPod("web-5d8f9c7b6"));
        first["metadata"]!["name"]!.GetValue<string>().Should().StartWith("web-5d8f9c7b6-").And.NotBe(second["metadata"]!["name"]!.GetValue<string>());

        var annotations = first["metadata"]!["annotations"]!.AsObject();
        var policy = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(annotations[PolicyAnnotations.AgentPolicyKey]!.GetValue<string>()));
        annotations[PolicyAnnotations.HostDataKey]!.GetValue<string>().Should().Be(HostData.ToHex(HostData.OfPolicy(policy)));
        policy.Should().Contain(f.HelloPinned.Split('@')[1]);
        second["metadata"]!["annotations"]!.ToJsonString().Should().Be(annotations.ToJsonString());
        first["spec"]!["runtimeClassName"]!.GetValue<string>().Should().Be(ParmaSettings.DefaultRuntimeClass);
        first["spec"]!["nodeSelector"]!.ToJsonString().Should().Be("""{"parma.dev/snp":"true"}""");
        f.App.Services.GetRequiredService<OptInPolicies>().Generations.Should().Be(generations + 1);
        PolicyEngine.Load(policy).Should().NotBeNull();
    }

    [Fact]
    public async Task Images_of_a_private_registry_are_resolved_with_the_pod_s_pull_secret()
    {
        var pod = DeploymentPod("web-9f9f9f9f9");
        pod["spec"]!["containers"]![0]!["image"] = $"{f.PrivateRegistry.Host}/parma/hello:1.0";
        var refused = await f.ReviewAsync("/mutate/pods", pod, WebhookFixture.OptInNamespace);
        refused["allowed"]!.GetValue<bool>().Should().BeFalse("the registry wants credentials the pod does not name");

        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("parma:secret"));
        var dockerConfig = new JsonObject { ["auths"] = new JsonObject { [f.PrivateRegistry.Host] = new JsonObject { ["auth"] = auth } } }.ToJsonString();
        await f.Client.CreateAsync(new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "kubernetes.io/dockerconfigjson",
            Metadata = new V1ObjectMeta { Name = "regcred", NamespaceProperty = WebhookFixture.OptInNamespace },
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = System.Text.Encoding.UTF8.GetBytes(dockerConfig) },
        });
        pod["spec"]!["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = "regcred" });
        var tokens = f.PrivateRegistry.TokensIssued;

        var created = await CreateWithGeneratedNameAsync(pod);

        created["metadata"]!["annotations"]![PolicyAnnotations.AgentPolicyKey].Should().NotBeNull();
        f.PrivateRegistry.TokensIssued.Should().BeGreaterThan(tokens);
    }

    [Fact]
    public async Task Without_the_namespace_label_nothing_is_generated()
    {
        var pod = DeploymentPod("web-77aa88bb9");
        pod["metadata"]!["namespace"] = WebhookFixture.OtherNamespace;

        var response = await f.ReviewAsync("/mutate/pods", pod, WebhookFixture.OtherNamespace);

        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        response.ContainsKey("patch").Should().BeFalse();
    }

    [Fact]
    public async Task An_opted_in_pod_whose_image_cannot_be_resolved_is_refused_with_the_reason()
    {
        var pod = DeploymentPod("web-6c6c6c6c6");
        pod["spec"]!["containers"]![0]!["image"] = $"{f.Registry.Host}/parma/missing:1.0";

        var response = await f.ReviewAsync("/mutate/pods", pod, WebhookFixture.OptInNamespace);

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["message"]!.GetValue<string>().Should().Contain("no policy could be generated").And.Contain("parma/missing:1.0");
    }
}
