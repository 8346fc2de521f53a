using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// What binds once stays bound when the host races it over several connections of a real agent socket:
/// exactly one SetPolicy can succeed (its check and its install happen under one gate), a later one
/// never replaces the policy or resets its state, whatever the policy says, and a sandbox is created once.
/// </summary>
public sealed class BindOnceTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private const int Connections = 8;

    private KataHostSimulator Host => new(group.Settings, group.Plan);

    /// <summary>Sends one request on each of <paramref name="count"/> fresh connections at once and collects the answers.</summary>
    private static async Task<Answer[]> RaceAsync(RunningAgent agent, int count, Func<int, (string Method, IMessage Request)> request)
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => AgentClient.ConnectAsync(agent.Socket)));
        try
        {
            using var start = new ManualResetEventSlim();
            var calls = clients.Select((client, i) => Task.Run(async () =>
            {
                start.Wait();
                var (method, message) = request(i);
                try
                {
                    return new Answer(StatusCode.Ok, string.Empty, await client.CallAsync(method, message));
                }
                catch (TtrpcException e)
                {
                    return new Answer(e.Code, e.Message, null);
                }
            })).ToList();
            start.Set();
            return await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Concurrent_SetPolicy_calls_on_several_connections_bind_exactly_one_policy()
    {
        var launched = Parma.Policy.Output.HostData.OfPolicy(group.Policy.PolicyText);
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: launched, policyPath: null);

        var answers = await RaceAsync(agent, Connections, _ => ("SetPolicy", new SetPolicyRequest { Policy = group.Policy.PolicyText }));

        answers.Count(a => a.Ok).Should().Be(1, string.Join("; ", answers.Select(a => $"{a.Code}: {a.Message}")));
        answers.Where(a => !a.Ok).Should().OnlyContain(a => a.Code == StatusCode.PermissionDenied && a.Message.StartsWith("SetPolicyRequest is blocked by policy", StringComparison.Ordinal));
        agent.Host.Policy.AwaitingSetPolicy.Should().BeFalse();
        agent.Host.Policy.Refusal.Should().BeNull();
        agent.AuditLines.Count(l => l["request"]!.GetValue<string>() == "SetPolicyRequest" && l["outcome"]!.GetValue<string>() == "executed").Should().Be(1);
    }

    [Fact]
    public async Task A_SetPolicy_racing_the_sandbox_never_replaces_the_policy_or_resets_its_state_even_if_the_policy_allows_it()
    {
        // A policy that (wrongly) allows SetPolicy: the agent's own rule still binds it once.
        var permissive = group.Policy.PolicyText + "\nSetPolicyRequest := true\n";
        var path = Path.Combine(group.NewDirectory("permissive"), "policy.rego");
        await File.WriteAllTextAsync(path, permissive);
        var launched = Parma.Policy.Output.HostData.OfPolicy(permissive);
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: launched, policyPath: null);
        (await agent.CallAsync("SetPolicy", new SetPolicyRequest { Policy = permissive })).Ok.Should().BeTrue();
        var bound = agent.Host.Policy;
        foreach (var request in Host.StartPod().Take(3))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
        }

        var state = agent.State;
        state.Should().Contain(Host.Sandbox.SandboxId);

        var answers = await RaceAsync(agent, Connections, i => i % 2 == 0
            ? ("SetPolicy", new SetPolicyRequest { Policy = permissive })
            : ("SetPolicy", new SetPolicyRequest { Policy = "package agent_policy\n\ndefault CreateContainerRequest := true\ndefault SetPolicyRequest := true\n" }));

        answers.Should().OnlyContain(a => a.Code == StatusCode.PermissionDenied
            && a.Message.Contains($"the policy with host_data {bound.HostDataHex} is bound to HOST_DATA; it is set once and cannot be replaced", StringComparison.Ordinal));
        agent.Host.Policy.Should().BeSameAs(bound);
        agent.State.Should().Be(state, "the policy state was neither replaced nor reset");
        (await agent.SendAsync("CreateContainerRequest", Host.CreateContainer(group.Pause))).Code.Should().Be(StatusCode.PermissionDenied, "the pause container is still bound");
    }

    [Fact]
    public async Task A_second_CreateSandbox_is_denied_and_of_concurrent_ones_exactly_one_succeeds()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var sandbox = Host.CreateSandbox();
        var message = PolicyInputReader.Read(sandbox, AgentMethods.ByName["CreateSandbox"].Request);

        var answers = await RaceAsync(agent, Connections, _ => ("CreateSandbox", message));

        answers.Count(a => a.Ok).Should().Be(1, string.Join("; ", answers.Select(a => $"{a.Code}: {a.Message}")));
        answers.Where(a => !a.Ok).Should().OnlyContain(a => a.Code == StatusCode.PermissionDenied
            && a.Message == "CreateSandboxRequest is blocked by policy: the sandbox was already created; a UVM hosts one sandbox, created once");
        var state = agent.State;
        var again = await agent.SendAsync("CreateSandboxRequest", sandbox);
        again.Code.Should().Be(StatusCode.PermissionDenied);
        agent.State.Should().Be(state);
        agent.AuditLines.Count(l => l["request"]!.GetValue<string>() == "CreateSandboxRequest" && l["outcome"]!.GetValue<string>() == "denied")
            .Should().Be(Connections);
    }
}
