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

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_same_policy_text_enforces_the_same_way_as_Rego_v0_as_a_stock_kata_agent_reads_it(string example)
    {
        var (policy, plan) = Pick(example);
        var host = new KataHostSimulator(examples.Settings, plan);
        var v0 = Rego.CompiledPolicy.Compile("policy.rego", policy.PolicyText, options: Rego.RegoOptions.Default with { V0Compatible = true });
        var state = Rego.Value.EmptyObject;
        foreach (var request in host.StartPod().Take(3))
        {
            var result = v0.EvaluateRule("data.agent_policy." + request.Kind, Rego.Value.FromJson(request.Input.ToJsonString()), [new Rego.DataMount("data.pstate", state)]);
            result.Should().NotBeNull();
            var allowed = result is Rego.BooleanValue b ? b.BoolValue : result!["allowed"]!.IsTrue;
            allowed.Should().BeTrue(request.Description);
            if (result is Rego.ObjectValue)
            {
                state = Rego.JsonPatch.Apply(Rego.Value.Object([KeyValuePair.Create("pstate", state)]), result["ops"]!)["pstate"]!;
            }
        }
    }

    private (GeneratedPolicy Policy, PodPlan Plan) Pick(string example) =>
        example == "group" ? (examples.Group, examples.GroupPlan) : (examples.Deployment, examples.DeploymentPlan);
}
