using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class GraphTests
{
    [Theory]
    [InlineData("{\"a\": [\"b\"], \"b\": [\"c\"], \"c\": [], \"d\": [\"a\"]}", "[\"a\"]", "[\"a\", \"b\", \"c\"]")]
    [InlineData("{\"a\": {\"b\"}, \"b\": {\"a\"}}", "{\"b\"}", "[\"a\", \"b\"]")]
    [InlineData("{\"a\": [\"missing\"]}", "[\"a\", \"other\"]", "[\"a\"]")]
    [InlineData("{}", "[\"a\"]", "[]")]
    public void Reachable_collects_nodes_in_the_graph(string graph, string initial, string expected)
    {
        var value = (SetValue)Eval($"graph.reachable({graph}, {initial})")!;
        Value.Array(value.Elements).Should().Be(Value.FromJson(expected));
    }

    [Theory]
    [InlineData("{\"a\": [\"b\", \"c\"], \"b\": [\"c\"], \"c\": []}", "{\"a\"}", "[[\"a\", \"b\", \"c\"], [\"a\", \"c\"]]")]
    [InlineData("{\"a\": {\"b\"}, \"b\": {\"c\"}, \"c\": {\"a\"}}", "{\"a\"}", "[[\"a\", \"b\", \"c\"]]")]
    [InlineData("{\"a\": [\"b\"], \"b\": [\"nonexistent\"]}", "{\"a\", \"b\"}", "[[\"a\", \"b\"], [\"b\"]]")]
    [InlineData("{\"a\": null}", "[\"a\"]", "[[\"a\"]]")]
    [InlineData("{}", "{\"a\"}", "[]")]
    [InlineData("{\"1\": [], \"2\": [\"1\"], \"3\": [\"2\"], \"4\": [\"3\", \"2\"], \"5\": [\"4\"]}", "[\"5\"]", "[[\"5\", \"4\", \"2\", \"1\"], [\"5\", \"4\", \"3\", \"2\", \"1\"]]")]
    public void Reachable_paths_end_at_leaves_missing_nodes_and_cycles(string graph, string initial, string expected)
    {
        var value = (SetValue)Eval($"graph.reachable_paths({graph}, {initial})")!;
        Value.Array(value.Elements).Should().Be(Value.FromJson(expected));
    }

    [Theory]
    [InlineData("graph.reachable(1, [\"a\"])")]
    [InlineData("graph.reachable({\"a\": []}, \"a\")")]
    [InlineData("graph.reachable_paths({\"a\": []}, \"a\")")]
    public void Malformed_graphs_are_type_errors(string expression)
    {
        Fails(expression, "eval_type_error");
    }

    [Fact]
    public void Walk_enumerates_every_path_and_value()
    {
        var policy = CompiledPolicy.Compile("w.rego", "package w\npairs := [[p, v] | walk(input, [p, v])]\nleaves contains p if { walk(input, [p, v]); is_number(v) }\n");
        var input = Value.FromJson("""{"a": [1, {"b": 2}], "c": 3}""");
        policy.EvaluateRule("data.w.pairs", input).Should().Be(Value.FromJson(
            """[[[], {"a": [1, {"b": 2}], "c": 3}], [["a"], [1, {"b": 2}]], [["a", 0], 1], [["a", 1], {"b": 2}], [["a", 1, "b"], 2], [["c"], 3]]"""));
        policy.EvaluateRule("data.w.leaves", input).Should().Be(Value.Set([Value.FromJson("""["a", 0]"""), Value.FromJson("""["a", 1, "b"]"""), Value.FromJson("""["c"]""")]));
    }

    [Fact]
    public void Walk_with_a_bound_path_finds_the_value()
    {
        var policy = CompiledPolicy.Compile("w.rego", "package w\nv := x if walk(input, [[\"a\", 1, \"b\"], x])\n");
        policy.EvaluateRule("data.w.v", Value.FromJson("""{"a": [1, {"b": 2}]}""")).Should().Be(Value.Number(2));
    }
}
