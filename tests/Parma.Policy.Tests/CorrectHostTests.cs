using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Simulation;

namespace Parma.Policy.Tests;

/// <summary>Everything a correct Kata host sends for a pod of the group is allowed, in order, with state carried over.</summary>
public class CorrectHostTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    public static TheoryData<string> Examples => new() { "group", "deployment" };

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_pods_whole_life_is_allowed(string example)
    {
        var (policy, plan) = Pick(example);
        var host = new KataHostSimulator(examples.Settings, plan);
        var trace = host.StartPod().Concat(host.RunAndStopPod()).Select(Trace.Allowed).ToList();

        var outcomes = TraceReplayer.Replay(PolicyEngine.Load(policy.PolicyText), trace);

        outcomes.Where(o => !o.Matches).Select(o => $"{o.Case.Description}: {o.Decision.Reason}").Should().BeEmpty();
        outcomes.Should().HaveCount(trace.Count);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_policy_state_is_empty_again_after_every_container_is_removed(string example)
    {
        var (policy, plan) = Pick(example);
        var host = new KataHostSimulator(examples.Settings, plan);
        var session = PolicyEngine.Load(policy.PolicyText).NewSession();
        foreach (var request in host.StartPod().Concat(host.RunAndStopPod()))
        {
            session.Decide(request.Kind, Rego.Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        session.State["containers"].Should().Be(Rego.Value.EmptyObject);
        session.State["bound"].Should().Be(Rego.Value.EmptyObject);
        session.State["mount_points"].Should().Be(Rego.Value.EmptyObject);
    }

    private (GeneratedPolicy Policy, PodPlan Plan) Pick(string example) =>
        example == "group" ? (examples.Group, examples.GroupPlan) : (examples.Deployment, examples.DeploymentPlan);
}
