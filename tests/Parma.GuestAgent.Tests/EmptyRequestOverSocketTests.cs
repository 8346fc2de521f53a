using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// Every method of the agent service, called over the socket with the protobuf default request (every
/// field at its zero value, as a host that fills nothing sends it): refused by the policy with a reason,
/// unless its rule reads no field by design (<see cref="UnconditionalRequests"/>) and the policy
/// switches it on. A denied read of standard output is answered empty with the reason in the audit log.
/// </summary>
public sealed class EmptyRequestOverSocketTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Fact]
    public async Task Every_method_refuses_its_default_request_unless_its_rule_reads_no_field()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var switches = group.Policy.PolicyData["request_defaults"]!.AsObject();
        var methods = AgentMethods.ByName.Values.OrderBy(m => m.Kind == "DestroySandboxRequest").ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
        methods.Should().HaveCountGreaterThan(30);
        var before = agent.State;

        var wrong = new List<string>();
        var waiting = new List<(AgentMethod Method, Task<Answer> Answer)>();
        foreach (var method in methods)
        {
            var request = (Google.Protobuf.IMessage)Activator.CreateInstance(method.Request.ClrType)!;
            var call = agent.CallAsync(method.Name, request);
            if (method.Kind == "GetOOMEventRequest" && await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(2))) != call)
            {
                // An allowed GetOOMEvent is a long-poll, answered when DestroySandbox (sent last) releases it.
                waiting.Add((method, call));
                continue;
            }

            Judge(method, await call);
        }

        foreach (var (method, call) in waiting)
        {
            Judge(method, await call.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        wrong.Should().BeEmpty();
        agent.State.Should().Be(before, "no empty request changes the policy state");

        void Judge(AgentMethod method, Answer answer)
        {
            var unconditional = UnconditionalRequests.AllowsEmpty(method.Kind, switches);
            if (unconditional)
            {
                if (answer.Code == StatusCode.PermissionDenied)
                {
                    wrong.Add($"{method.Name}: denied: {answer.Message}");
                }
            }
            else if (method.Kind == "ReadStreamRequest")
            {
                var audit = agent.AuditLines[^1];
                if (!answer.Ok || audit["outcome"]!.GetValue<string>() != "redacted" || string.IsNullOrEmpty(audit["reason"]?.GetValue<string>()))
                {
                    wrong.Add($"{method.Name}: {answer.Code} {audit.ToJsonString()}");
                }
            }
            else if (answer.Code != StatusCode.PermissionDenied || !answer.Message.StartsWith($"{method.Kind} is blocked by policy: ", StringComparison.Ordinal)
                || answer.Message.Length <= $"{method.Kind} is blocked by policy: ".Length)
            {
                wrong.Add($"{method.Name}: {answer.Code} {answer.Message}");
            }
        }
    }
}
