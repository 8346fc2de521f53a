namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Rules fixed by the policy text are computed once per compiled policy and shared; these check that a
/// shared value never leaks into an evaluation where the rule's inputs differ.
/// </summary>
public sealed class ConstantRuleTests
{
    private const string Module = """
        package p

        limits := {"max": 3, "names": {n | some n in ["a", "b", "a"]}}

        by_name[name] := i if {
            some i, name in ["x", "y"]
        }

        doubled := [x * 2 | some x in [limits.max, 1]]

        from_base := data.cfg.v

        via_base := from_base + 1

        from_input := input.v

        via_function := twice(limits.max)

        twice(x) := x * 2

        uses_with := x if {
            x := limits.max with input as {"v": 9}
        }

        allow if {
            count(limits.names) == 2
            input.n <= limits.max
            by_name[input.name] == 1
        }
        """;

    [Fact]
    public void Constant_rules_give_the_same_value_on_every_evaluation()
    {
        var policy = CompiledPolicy.Compile("p.rego", Module);
        for (var i = 0; i < 3; i++)
        {
            policy.EvaluateRule("data.p.doubled").Should().Be(Value.FromJson("[6, 2]"));
            policy.EvaluateRule("data.p.via_function").Should().Be(Value.Number(6));
            policy.EvaluateRule("data.p.allow", Value.FromJson("""{"n": 2, "name": "y"}""")).Should().Be(Value.True);
            policy.EvaluateRule("data.p.allow", Value.FromJson("""{"n": 4, "name": "y"}""")).Should().BeNull();
            policy.EvaluateRule("data.p.uses_with").Should().Be(Value.Number(3));
        }
    }

    [Fact]
    public void Rules_reading_input_or_base_data_are_not_shared()
    {
        var policy = CompiledPolicy.Compile("p.rego", Module);
        policy.EvaluateRule("data.p.from_input", Value.FromJson("""{"v": 1}""")).Should().Be(Value.Number(1));
        policy.EvaluateRule("data.p.from_input", Value.FromJson("""{"v": 2}""")).Should().Be(Value.Number(2));
        policy.EvaluateRule("data.p.via_base", null, [new DataMount("data.cfg", Value.FromJson("""{"v": 1}"""))]).Should().Be(Value.Number(2));
        policy.EvaluateRule("data.p.via_base", null, [new DataMount("data.cfg", Value.FromJson("""{"v": 5}"""))]).Should().Be(Value.Number(6));
        policy.EvaluateRule("data.p.via_base").Should().BeNull();
    }

    [Fact]
    public void A_mount_or_with_over_a_constant_rule_replaces_it_for_that_evaluation_only()
    {
        var policy = CompiledPolicy.Compile("p.rego", Module);
        policy.EvaluateRule("data.p.doubled").Should().Be(Value.FromJson("[6, 2]"));
        policy.EvaluateRule("data.p.doubled", null, [new DataMount("data.p.limits", Value.FromJson("""{"max": 10}"""))]).Should().Be(Value.FromJson("[20, 2]"));
        policy.Evaluate("x := data.p.doubled with data.p.limits as {\"max\": 7}")[0].Bindings["x"].Should().Be(Value.FromJson("[14, 2]"));
        policy.Evaluate("x := data.p.via_function with data.p.limits as {\"max\": 5}")[0].Bindings["x"].Should().Be(Value.Number(10));
        policy.EvaluateRule("data.p.doubled").Should().Be(Value.FromJson("[6, 2]"));
        policy.EvaluateRule("data.p.via_function").Should().Be(Value.Number(6));
    }

    [Fact]
    public void Evaluations_on_many_threads_agree()
    {
        var policy = CompiledPolicy.Compile("p.rego", Module);
        var results = new Value?[64];
        Parallel.For(0, results.Length, i => results[i] = policy.EvaluateRule("data.p.allow", Value.FromJson($$"""{"n": {{i % 5}}, "name": "y"}""")));
        for (var i = 0; i < results.Length; i++)
        {
            if (i % 5 <= 3)
            {
                results[i].Should().Be(Value.True);
            }
            else
            {
                results[i].Should().BeNull();
            }
        }
    }

    [Fact]
    public void A_long_chain_of_constant_rules_compiles_and_evaluates()
    {
        var rules = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"r{i} := r{i + 1} + 1"));
        var policy = CompiledPolicy.Compile("chain.rego", $"package c\n{rules}\nr200 := 0\n");
        policy.EvaluateRule("data.c.r0").Should().Be(Value.Number(200));
        policy.EvaluateRule("data.c.r0").Should().Be(Value.Number(200));
    }
}
