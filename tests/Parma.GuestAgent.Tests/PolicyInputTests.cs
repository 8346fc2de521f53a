using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Policy.Enforcement;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.GuestAgent.Tests;

/// <summary>The policy input the agent derives from protobuf requests is the JSON Kata serialises, which is what the simulator writes.</summary>
public sealed class PolicyInputTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private KataHostSimulator Host => new(group.Settings, group.Plan);

    private IEnumerable<AgentRequest> AllRequests => Host.StartPod().Concat(Host.RunAndStopPod());

    private static JsonObject RoundTrip(AgentRequest request)
    {
        var method = AgentMethods.ForKind(request.Kind)!;
        var wire = PolicyInputReader.Read(request.Input, method.Request).ToByteArray();
        return PolicyInput.From(method.Request.Parser.ParseFrom(wire));
    }

    [Fact]
    public void Simulator_input_through_protobuf_and_back_is_the_same_JSON_plus_default_fields()
    {
        foreach (var request in AllRequests)
        {
            var back = RoundTrip(request);
            AssertContains(back, request.Input, request.Kind);
        }
    }

    /// <summary>Every field the simulator wrote comes back identical; every other field is its protobuf default (Kata's serde writes all fields).</summary>
    private static void AssertContains(JsonNode? actual, JsonNode? expected, string path)
    {
        if (expected is JsonObject e)
        {
            actual.Should().BeOfType<JsonObject>(path);
            var a = (JsonObject)actual!;
            foreach (var (key, value) in e)
            {
                a.ContainsKey(key).Should().BeTrue($"{path}.{key} is kept");
                AssertContains(a[key], value, $"{path}.{key}");
            }

            foreach (var (key, value) in a.Where(p => !e.ContainsKey(p.Key)))
            {
                IsDefault(value).Should().BeTrue($"{path}.{key} is not in the simulator's JSON, so it must be a default, not {value?.ToJsonString()}");
            }
        }
        else if (expected is JsonArray ea)
        {
            actual.Should().BeOfType<JsonArray>(path);
            var aa = (JsonArray)actual!;
            aa.Count.Should().Be(ea.Count, path);
            for (var i = 0; i < ea.Count; i++)
            {
                AssertContains(aa[i], ea[i], $"{path}[{i}]");
            }
        }
        else
        {
            (actual?.ToJsonString() ?? "null").Should().Be(expected?.ToJsonString() ?? "null", path);
        }
    }

    private static bool IsDefault(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.All(p => IsDefault(p.Value)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False => true,
            JsonValueKind.Number => v.ToJsonString() == "0",
            _ => false,
        },
        _ => false,
    };

    [Fact]
    public void The_policy_decides_the_converted_input_as_it_decides_the_simulator_input()
    {
        var engine = PolicyEngine.Load(group.Policy.PolicyText);
        var direct = engine.NewSession();
        var converted = engine.NewSession();
        foreach (var request in AllRequests)
        {
            var a = direct.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString()));
            var b = converted.Decide(request.Kind, Value.FromJson(RoundTrip(request).ToJsonString()));
            a.Allowed.Should().BeTrue(request.Description);
            b.Allowed.Should().Be(a.Allowed, request.Description);
        }

        converted.State.ToJson().Should().Be(direct.State.ToJson());
    }

    [Fact]
    public void The_direct_Rego_value_is_the_JSON_document()
    {
        var messages = AllRequests
            .Select(r => PolicyInputReader.Read(r.Input, AgentMethods.ForKind(r.Kind)!.Request))
            .Append(new WriteStreamRequest { ContainerId = "c", Data = ByteString.CopyFrom(1, 2, 255) })
            .Append(new UpdateInterfaceRequest { Interface = new Interface { Name = "eth0", IPAddresses = { new IPAddress { Family = IPFamily.V6, Address = "fe80::1" } }, Mtu = ulong.MaxValue } })
            .Append(new CopyFileRequest { Path = "/x", FileMode = 0x41ED });
        foreach (var message in messages)
        {
            PolicyValue.From(message).ToJson().Should().Be(Value.FromJson(PolicyInput.From(message).ToJsonString()).ToJson(), message.Descriptor.Name);
        }
    }

    [Fact]
    public void Field_names_are_Kata_serde_names()
    {
        var request = new CreateContainerRequest
        {
            ContainerId = "c1",
            OCI = new Spec { Mounts = { new Mount { Destination = "/d", Type = "bind", Source = "/s" } } },
        };
        var json = PolicyInput.From(request);
        json["container_id"]!.GetValue<string>().Should().Be("c1");
        json["string_user"].Should().BeNull();
        json["OCI"]!["Mounts"]![0]!["type_"]!.GetValue<string>().Should().Be("bind");
        json["OCI"]!["Process"].Should().BeNull("an unset message is null");
        json["OCI"]!.AsObject().ContainsKey("Process").Should().BeTrue();
        json["stdin_port"]!.GetValue<uint>().Should().Be(0);
    }

    [Fact]
    public void CopyFile_is_summarised_without_its_data()
    {
        var regular = PolicyInput.From(new CopyFileRequest { Path = "/run/kata-containers/shared/containers/x/hosts", FileMode = 0x81A4, FileSize = 5, Data = ByteString.CopyFromUtf8("hello") });
        regular["file_type"]!.GetValue<string>().Should().Be("Regular");
        regular.ContainsKey("data").Should().BeFalse();
        regular.ToJsonString().Should().NotContain("hello");
        var link = PolicyInput.From(new CopyFileRequest { Path = "/run/x/link", FileMode = 0xA1FF, Data = ByteString.CopyFromUtf8("../target") });
        link["file_type"]!.GetValue<string>().Should().Be("Symlink");
        link["symlink_target"]!.GetValue<string>().Should().Be("../target");
    }

    [Fact]
    public void Bad_policy_input_JSON_names_the_field()
    {
        var input = Host.CreateContainer(group.App);
        input["OCI"]!["Process"]!["Terminal"] = "yes";
        var act = () => PolicyInputReader.Read(input, CreateContainerRequest.Descriptor);
        act.Should().Throw<PolicyInputException>().WithMessage("CreateContainerRequest.OCI.Process.Terminal: *");
    }

    [Fact]
    public void Keys_the_request_does_not_have_are_skipped_as_serde_skips_them_and_reported()
    {
        var input = Host.CreateContainer(group.App);
        input["no_such_field"] = 1;
        input["OCI"]!["Linux"]!["pciPath"] = "";
        var ignored = new List<string>();
        var request = (CreateContainerRequest)PolicyInputReader.Read(input, CreateContainerRequest.Descriptor, ignored.Add);
        ignored.Should().BeEquivalentTo("CreateContainerRequest.no_such_field", "CreateContainerRequest.OCI.Linux.pciPath");
        input.Remove("no_such_field");
        input["OCI"]!["Linux"]!.AsObject().Remove("pciPath");
        request.Should().Be(PolicyInputReader.Read(input, CreateContainerRequest.Descriptor), "skipped keys change nothing");
    }

    [Fact]
    public void The_simulator_writes_only_fields_of_the_request()
    {
        foreach (var request in AllRequests)
        {
            var ignored = new List<string>();
            PolicyInputReader.Read(request.Input, AgentMethods.ForKind(request.Kind)!.Request, ignored.Add);
            ignored.Should().BeEmpty(request.Description);
        }
    }
}
