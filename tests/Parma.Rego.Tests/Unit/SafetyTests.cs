namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Variable safety as OPA defines it: a variable in a reference's index is an output of the expression the
/// reference is in (the reference enumerates it), so it may be read elsewhere in that same expression.
/// </summary>
public sealed class SafetyTests
{
    private static IReadOnlyList<QueryResult> Query(string query, string input) =>
        CompiledPolicy.Compile("m.rego", "package test\n").Evaluate(query, Value.FromJson(input));

    private static Value? Rule(string module, string input) =>
        CompiledPolicy.Compile("m.rego", module).EvaluateRule("data.test.p", Value.FromJson(input));

    [Fact]
    public void A_variable_compared_with_the_value_it_indexes_is_bound_by_the_reference()
    {
        var results = Query("some foo; foo == input.foos[foo]", """{"foos": {"a": "a", "b": "c", "d": "d"}}""");
        results.Select(r => r.Bindings["foo"]).Should().BeEquivalentTo([Value.String("a"), Value.String("d")]);

        var onArray = Query("foo == input.foos[foo]", """{"foos": [0, 5, 2]}""");
        onArray.Select(r => r.Bindings["foo"]).Should().BeEquivalentTo([Value.Number(0), Value.Number(2)]);
    }

    [Theory]
    [InlineData("package test\np contains foo if { foo == input.foos[foo] }")]
    [InlineData("package test\np contains foo if { input.foos[foo] == foo }")]
    [InlineData("package test\np contains foo if { y := foo; foo == input.foos[foo]; y == foo }")]
    [InlineData("package test\np contains foo if { count([foo, input.foos[foo]]) == 2; foo == input.foos[foo] }")]
    [InlineData("package test\np contains foo if { startswith(foo, input.foos[foo]) ; foo == input.foos[foo] }")]
    [InlineData("package test\np contains foo if { pair := [foo, input.foos[foo]]; pair[0] == pair[1] }")]
    public void Reference_indices_bind_their_variable_wherever_the_reference_is_in_the_expression(string module)
    {
        Rule(module, """{"foos": {"a": "a", "b": "c"}}""").Should().Be(Value.Set([Value.String("a")]));
    }

    [Fact]
    public void An_expression_that_binds_its_own_index_runs_before_one_that_reads_the_variable()
    {
        const string module = "package test\np contains y if { y := upper(foo); foo == input.foos[foo] }\n";
        Rule(module, """{"foos": {"a": "a"}}""").Should().Be(Value.Set([Value.String("A")]));
    }

    [Theory]
    [InlineData("foo == bar")]
    [InlineData("foo == input.x")]
    public void A_variable_nothing_binds_is_still_unsafe(string query)
    {
        var act = () => Query(query, """{"x": 1}""");
        act.Should().Throw<RegoException>().Which.Code.Should().Be("rego_unsafe_var_error");
    }
}
