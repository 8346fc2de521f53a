namespace Parma.Rego.Tests.Unit;

/// <summary>`[x | some x in c]` and `{x | some x in c}` take the collection's members directly; they must agree with the general path.</summary>
public sealed class ComprehensionTests
{
    private const string Module = """
        package p

        as_array(x) := x if {
            is_array(x)
        } else := []

        members_set(x) := {e | some e in x}

        members_array(x) := [e | some e in x]

        through_helper(x) := {e | some e in as_array(x)}

        # The same shapes with an extra body expression, so they run through the general evaluator.
        general_set(x) := {e | some e in x; true}

        general_array(x) := [e | some e in x; true]

        undefined_set := {e | some e in input.missing}
        """;

    private static readonly CompiledPolicy Policy = CompiledPolicy.Compile("p.rego", Module);

    [Theory]
    [InlineData("""["b", "a", "b"]""")]
    [InlineData("""[]""")]
    [InlineData("""{"z": 1, "a": 2, "m": 1}""")]
    [InlineData("""{}""")]
    [InlineData("\"text\"")]
    [InlineData("7")]
    [InlineData("null")]
    public void The_direct_path_agrees_with_the_general_evaluator(string collection)
    {
        var input = Value.FromJson($$"""{"c": {{collection}}}""");
        Eval("data.p.members_set(input.c)", input).Should().Be(Eval("data.p.general_set(input.c)", input));
        Eval("data.p.members_array(input.c)", input).Should().Be(Eval("data.p.general_array(input.c)", input));
    }

    [Fact]
    public void Sets_from_sets_and_arrays_are_sorted_and_distinct()
    {
        var input = Value.FromJson("""{"c": ["b", "a", "b"]}""");
        Eval("data.p.members_set(input.c)", input).Should().Be(Value.Set([Value.String("b"), Value.String("a")]));
        Eval("data.p.members_array({\"x\", \"y\"})", input).Should().Be(Value.FromJson("""["x", "y"]"""));
        Eval("data.p.through_helper(input.c)", input).Should().Be(Value.Set([Value.String("a"), Value.String("b")]));
        Eval("data.p.through_helper(3)", input).Should().Be(Value.EmptySet);
    }

    [Fact]
    public void An_undefined_collection_gives_an_empty_result()
    {
        Policy.EvaluateRule("data.p.undefined_set", Value.EmptyObject).Should().Be(Value.EmptySet);
    }

    private static Value Eval(string expression, Value input) =>
        Policy.Evaluate($"x := {expression}", input)[0].Bindings["x"];
}
