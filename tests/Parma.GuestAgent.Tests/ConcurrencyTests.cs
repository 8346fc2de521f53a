using Parma.Agent.Protocol;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>Many connections at once: state-changing requests stay all-or-nothing and never conflict.</summary>
public sealed class ConcurrencyTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Fact]
    public async Task Concurrent_creates_of_one_container_bind_it_exactly_once()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        foreach (var request in host.StartPod().Take(3))
        {
            (await agent.SendAsync(request.Kind, request.Input)).Ok.Should().BeTrue();
        }

        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => AgentClient.ConnectAsync(agent.Socket)));
        try
        {
            var answers = await Task.WhenAll(clients.Select(async client =>
            {
                try
                {
                    await client.SendAsync("CreateContainerRequest", host.CreateContainer(group.App));
                    return "ok";
                }
                catch (Parma.Agent.Ttrpc.TtrpcException e)
                {
                    return e.Code.ToString();
                }
            }));
            answers.Count(a => a == "ok").Should().Be(1);
            answers.Where(a => a != "ok").Should().OnlyContain(a => a == "PermissionDenied");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        agent.State.Should().Contain(host.ContainerId(group.App));
    }
}
