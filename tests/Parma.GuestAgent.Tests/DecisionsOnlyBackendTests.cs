using System.Text.Json.Nodes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The decisions-only backend (<c>--backend none</c>): over the real socket, every allowed request is
/// answered with success and its method's default response without anything being carried out, every
/// denied one is denied, and the policy state moves exactly as the policy decides in process.
/// </summary>
public sealed class DecisionsOnlyBackendTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Fact]
    public async Task A_pod_life_is_decided_and_answered_without_acting_and_the_state_matches_the_in_process_session()
    {
        var stateDirectory = Path.Combine(group.NewDirectory("none"), "state");
        var backend = RuntimeBackends.Create("none", new RuntimeOptions { StateDirectory = stateDirectory, CopyFileRoot = stateDirectory });
        backend.Should().BeOfType<DecisionsOnlyBackend>();
        RuntimeBackends.Warning(backend).Should().Contain("NOTHING is carried out");
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var session = PolicyEngine.Load(group.Policy.PolicyText).NewSession();
        foreach (var request in host.StartPod().Concat(host.RunAndStopPod()))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
            var method = AgentMethods.ForKind(request.Kind)!;
            answer.Response!.Descriptor.Should().Be(method.Response);
            answer.Response.Should().Be(Activator.CreateInstance(method.Response.ClrType), "the answer is the method's default response");
            session.Decide(request.Kind, Value.FromJson(PolicyInput.From(PolicyInputReader.Read(request.Input, method.Request)).ToJsonString())).Allowed.Should().BeTrue();
        }

        agent.State.Should().Be(session.State.ToJson(), "the agent kept the state the policy's ops made");
        Directory.Exists(stateDirectory).Should().BeFalse("nothing was written");
    }

    [Fact]
    public async Task Denied_requests_are_denied_and_change_no_state()
    {
        await using var agent = await RunningAgent.StartAsync(group, backend: new DecisionsOnlyBackend());
        var host = new KataHostSimulator(group.Settings, group.Plan);
        (await agent.SendAsync("CreateSandboxRequest", host.CreateSandbox())).Ok.Should().BeTrue();
        var before = agent.State;
        var tampered = host.CreateContainer(group.App);
        tampered["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/sh", "-c", "cat /secrets");
        var answer = await agent.SendAsync("CreateContainerRequest", tampered);
        answer.Code.Should().Be(StatusCode.PermissionDenied);
        answer.Message.Should().StartWith("CreateContainerRequest is blocked by policy: ");
        (await agent.SendAsync("ExecProcessRequest", host.ExecProcess(group.App, ["/bin/sh"]))).Code.Should().Be(StatusCode.PermissionDenied);
        agent.State.Should().Be(before);
    }
}
