using Parma.Groups.Pods;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Policy.Output;
using Parma.Webhook.Groups;

namespace Parma.Webhook.Tests;

/// <summary>Groups read from a --group-file (development and benchmarks), in the initdata format, and groups whose policy is not consistent.</summary>
public sealed class GroupFileTests : IDisposable
{
    private const string Policy = "package agent_policy\n\ndefault CreateContainerRequest := false\n";
    private readonly string _file = Path.GetTempFileName();

    private GroupPolicySource Load(string format, string hostData)
    {
        var group = new JsonObject
        {
            ["apiVersion"] = ParmaApi.ApiVersion,
            ["kind"] = ParmaApi.Kind,
            ["metadata"] = new JsonObject { ["name"] = "g", ["namespace"] = "ns" },
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray() } } },
            ["status"] = new JsonObject
            {
                ["hostData"] = hostData,
                ["policyRef"] = new JsonObject { ["name"] = "g-policy", ["key"] = "policy.rego", ["format"] = format },
            },
        };
        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "g-policy", ["namespace"] = "ns" },
            ["data"] = new JsonObject { ["policy.rego"] = Policy },
        };
        File.WriteAllText(_file, group.ToJsonString() + "\n---\n" + configMap.ToJsonString());
        return new GroupPolicySource(new FileClusterView(_file));
    }

    [Fact]
    public async Task An_initdata_group_stamps_cc_init_data_and_its_digest()
    {
        var expected = PolicyAnnotations.For(Policy, PolicyFormat.InitData);
        var policy = (await Load("initdata", expected.HostDataHex).FindAsync("ns", "g", null, null, CancellationToken.None))!;

        policy.Annotations.Key.Should().Be(PolicyAnnotations.InitDataKey);
        policy.Annotations.Value.Should().Be(expected.Value);
        var pod = JsonNode.Parse("""{"metadata":{"labels":{"parma.dev/group":"g"},"annotations":{"io.katacontainers.config.agent.policy":"stale"}},"spec":{"containers":[]}}""")!.AsObject();
        var contract = PodContract.ForGroup(policy.Group, policy.Annotations, new ParmaSettings());
        var patch = PodContractPatch.For(pod, contract);

        patch.Select(op => $"{op!["op"]} {op["path"]}").Should().Contain([
            "add /metadata/annotations/io.katacontainers.config.hypervisor.cc_init_data",
            "add /metadata/annotations/parma.dev~1host-data",
            "remove /metadata/annotations/io.katacontainers.config.agent.policy",
            "add /spec/runtimeClassName",
        ]);
        var stamped = Apply(pod, patch);
        PodContractPatch.For(stamped, contract).Should().BeEmpty();
    }

    [Fact]
    public async Task A_group_whose_policy_does_not_hash_to_its_status_has_no_usable_policy()
    {
        var source = Load("agent-policy", new string('0', 64));

        var act = () => source.FindAsync("ns", "g", null, null, CancellationToken.None);

        (await act.Should().ThrowAsync<GroupPolicyUnavailableException>()).Which.Message
            .Should().Contain("hashes to host_data").And.Contain("not status.hostData 0000");
    }

    [Fact]
    public void A_group_file_with_another_kind_is_refused_at_startup()
    {
        File.WriteAllText(_file, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}""");

        var act = () => new FileClusterView(_file);

        act.Should().Throw<WebhookStartupException>().WithMessage("*kind 'Pod' is not ConfidentialPodGroup*");
    }

    public void Dispose() => File.Delete(_file);

    private static JsonObject Apply(JsonObject target, JsonArray patch)
    {
        var result = Rego.JsonPatch.Apply(Rego.Value.FromJson(target.ToJsonString()), Rego.Value.FromJson(patch.ToJsonString()));
        return JsonNode.Parse(result.ToJson())!.AsObject();
    }
}
