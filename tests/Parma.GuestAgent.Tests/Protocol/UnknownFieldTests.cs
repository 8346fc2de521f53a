using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.GuestAgent.Tests.Protocol;

/// <summary>
/// A host newer than our protos sends fields we do not know. Protobuf skips them, and so does the
/// agent: the request is decoded, the policy decides it on the fields it knows (kata-agent's serde
/// skips unknown fields too), and a denial is still a denial.
/// </summary>
public sealed class UnknownFieldTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    /// <summary>The payload with unknown fields appended: a varint (field 99), a string (field 100) and a nested message (field 101).</summary>
    private static byte[] WithUnknownFields(IMessage request)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        request.WriteTo(output);
        output.WriteTag(99, WireFormat.WireType.Varint);
        output.WriteUInt64(123456789);
        output.WriteTag(100, WireFormat.WireType.LengthDelimited);
        output.WriteString("a field from a newer host");
        output.WriteTag(101, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(new StringUser { Uid = "0" }.ToByteString());
        output.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void Unknown_fields_are_decoded_past_and_left_out_of_the_policy_input()
    {
        var known = new CreateSandboxRequest { Hostname = "probe", SandboxId = "s1" };
        var decoded = CreateSandboxRequest.Parser.ParseFrom(WithUnknownFields(known));
        decoded.Hostname.Should().Be("probe");
        decoded.SandboxId.Should().Be("s1");
        PolicyValue.From(decoded).ToJson().Should().Be(PolicyValue.From(known).ToJson(), "unknown fields are not part of the input kata-agent builds");
        PolicyInput.From(decoded).ToJsonString().Should().Be(PolicyInput.From(known).ToJsonString());
    }

    [Fact]
    public async Task A_request_carrying_unknown_fields_is_decoded_and_decided_over_the_socket()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var sandbox = PolicyInputReader.Read(host.CreateSandbox(), CreateSandboxRequest.Descriptor);
        await agent.Client.Connection.CallAsync(AgentMethods.Service, "CreateSandbox", WithUnknownFields(sandbox));
        agent.AuditLines.Last()["request"]!.GetValue<string>().Should().Be("CreateSandboxRequest");
        agent.AuditLines.Last()["allowed"]!.GetValue<bool>().Should().BeTrue();

        var denied = new ExecProcessRequest { ContainerId = "nope", ExecId = "e", Process = new Process { Args = { "/bin/sh" } } };
        var call = async () => await agent.Client.Connection.CallAsync(AgentMethods.Service, "ExecProcess", WithUnknownFields(denied));
        (await call.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.PermissionDenied, "the unknown fields change nothing about the decision");
    }

    [Fact]
    public void Unknown_fields_never_widen_the_input_the_policy_sees()
    {
        var decoded = ExecProcessRequest.Parser.ParseFrom(WithUnknownFields(new ExecProcessRequest { ContainerId = "c" }));
        var input = PolicyValue.From(decoded);
        input.Should().BeOfType<ObjectValue>();
        ((ObjectValue)input).Keys.Select(k => ((StringValue)k).Text).Should().BeEquivalentTo(ExecProcessRequest.Descriptor.Fields.InDeclarationOrder().Select(f => RustFieldNames.Of(f.Name)));
    }
}
