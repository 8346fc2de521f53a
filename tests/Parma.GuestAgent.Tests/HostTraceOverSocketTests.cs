using System.Text.Json.Nodes;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;
using Parma.Policy.Simulation;
using Parma.Policy.Simulation.Attacks;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The simulated host over the real path: a pod's whole life, as `parma policy simulate` prints it,
/// succeeds against an agent on a Unix socket; and the whole attack corpus, interleaved with that life,
/// is refused request by request with `"&lt;Request&gt; is blocked by policy: &lt;reason&gt;"` and the
/// expected check (a denied ReadStream is answered empty, with the reason in the audit log), while the
/// life around it goes on.
/// </summary>
public sealed class HostTraceOverSocketTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    /// <summary>Requests the policy allows that neither backend carries out yet (they answer UNIMPLEMENTED).</summary>
    private static readonly HashSet<string> NotCarriedOut = new(StringComparer.Ordinal)
    {
        "UpdateInterfaceRequest", "UpdateRoutesRequest", "AddARPNeighborsRequest", "StatsContainerRequest",
    };

    private KataHostSimulator Host => new(group.Settings, group.Plan);

    [Fact]
    public async Task The_simulated_life_of_the_pod_succeeds_over_the_socket()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        var life = Host.PodLife();
        life.Should().Contain(r => r.Kind == "CopyFileRequest").And.Contain(r => r.Kind == "ExecProcessRequest");

        foreach (var request in life)
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Code} {answer.Message}");
        }

        agent.State.Should().Contain("\"containers\":{}", "every container was removed again");
        agent.AuditLines.Should().HaveCount(life.Count).And.OnlyContain(l => l["outcome"]!.GetValue<string>() == "executed");
    }

    [Fact]
    public async Task Every_attack_of_the_corpus_is_refused_over_the_socket_with_its_reason()
    {
        var life = Host.PodLife(network: true);
        var attacks = HostAttacks.For(Host, group.Plan, group.Policy.PolicyData, life);
        var expected = attacks.ToDictionary(a => a.Description);
        attacks.Where(a => !a.Allowed).Select(a => a.Kind).Distinct().Should().HaveCountGreaterThan(12);

        await using var agent = await RunningAgent.StartAsync(group);
        var wrong = new List<string>();
        foreach (var c in HostAttacks.Interleave(life, attacks))
        {
            var before = agent.State;
            Answer answer;
            try
            {
                answer = await agent.SendAsync(c.Kind, c.Request);
            }
            catch (Parma.Agent.Protocol.PolicyInputException e)
            {
                wrong.Add($"{c.Description}: cannot be sent as protobuf: {e.Message}");
                continue;
            }

            if (!c.Allowed && c.Kind == "ReadStreamRequest")
            {
                // The shim reads output all the time: a denied read is answered empty, and the audit log keeps the reason.
                var audit = agent.AuditLines[^1];
                if (!answer.Ok || !((Parma.Agent.Protocol.ReadStreamResponse)answer.Response!).Data.IsEmpty || audit["outcome"]!.GetValue<string>() != "redacted"
                    || !audit["reason"]!.GetValue<string>().StartsWith(expected[c.Description].ExpectedReason!, StringComparison.Ordinal))
                {
                    wrong.Add($"{c.Description}: {answer.Code} {audit.ToJsonString()}");
                }
            }
            else if (!c.Allowed)
            {
                var reason = expected[c.Description].ExpectedReason;
                if (answer.Code != StatusCode.PermissionDenied || !answer.Message.StartsWith($"{c.Kind} is blocked by policy: {reason}", StringComparison.Ordinal))
                {
                    wrong.Add($"{c.Description}: {answer.Code} {answer.Message}");
                }
                else if (agent.State != before)
                {
                    wrong.Add($"{c.Description}: denied, but the policy state changed");
                }
            }
            else if (answer.Code == StatusCode.PermissionDenied)
            {
                wrong.Add($"{c.Description}: denied: {answer.Message}");
            }
            else if (!answer.Ok && !(answer.Code == StatusCode.Unimplemented && NotCarriedOut.Contains(c.Kind)) && !expected.ContainsKey(c.Description))
            {
                wrong.Add($"{c.Description}: allowed but failed: {answer.Code} {answer.Message}");
            }
        }

        wrong.Should().BeEmpty();
        agent.State.Should().Contain("\"containers\":{}");
    }
}
