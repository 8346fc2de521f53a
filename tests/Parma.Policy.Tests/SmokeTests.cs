using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.Policy.Tests;

public class SmokeTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    [Fact]
    public void Framework_and_policy_data_compile()
    {
        var policy = CompiledPolicy.Compile("policy.rego", examples.Group.PolicyText);
        var sim = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var first = sim.StartPod()[0];
        var result = policy.EvaluateRule("data.agent_policy." + first.Kind, Value.FromJson(first.Input.ToJsonString()), [new DataMount("data.pstate", Value.EmptyObject)]);
        result.Should().Be(Value.True);
    }
}
