using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>Random and truncated protobuf payloads sent to every agent method: answered with a status, never a crash, no state kept.</summary>
public sealed class AgentFuzzTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Fact]
    public async Task Random_and_truncated_payloads_are_answered_and_change_nothing()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var valid = PolicyInputReader.Read(host.CreateContainer(group.App), CreateContainerRequest.Descriptor).ToByteArray();
        var random = new Random(9);
        var methods = AgentMethods.ByName.Keys.Order(StringComparer.Ordinal).ToArray();
        var before = agent.State;
        var codes = new HashSet<StatusCode>();
        for (var i = 0; i < 300; i++)
        {
            var payload = (i % 2) switch
            {
                0 => RandomBytes(random, random.Next(0, 256)),
                _ => valid[..random.Next(0, valid.Length)],
            };
            var method = i % 2 == 0 ? methods[random.Next(methods.Length)] : "CreateContainer";
            try
            {
                await agent.Client.Connection.CallAsync(AgentMethods.Service, method, payload);
                codes.Add(StatusCode.Ok);
            }
            catch (TtrpcException e)
            {
                codes.Add(e.Code);
                e.Code.Should().BeOneOf([StatusCode.InvalidArgument, StatusCode.PermissionDenied], $"{method}: {e.Message}");
            }
        }

        codes.Should().Contain(StatusCode.InvalidArgument).And.Contain(StatusCode.PermissionDenied);
        agent.State.Should().Be(before);
        (await agent.SendAsync("CreateSandboxRequest", host.CreateSandbox())).Ok.Should().BeTrue("the agent still serves the host");
    }

    [Fact]
    public async Task Unknown_services_and_methods_are_unimplemented()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var unknownMethod = async () => await agent.Client.Connection.CallAsync(AgentMethods.Service, "FormatDisk", Array.Empty<byte>());
        (await unknownMethod.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.Unimplemented);
        var unknownService = async () => await agent.Client.Connection.CallAsync("grpc.HealthService", "Check", Array.Empty<byte>());
        (await unknownService.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.Unimplemented);
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
