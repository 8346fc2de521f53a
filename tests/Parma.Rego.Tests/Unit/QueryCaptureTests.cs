namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Query expressions capture their value like `opa eval`; when the query has several expressions or iterates,
/// a false value is also a failed condition (OPA's query rewriting appends the captured value as a check).
/// </summary>
public sealed class QueryCaptureTests
{
    private static IReadOnlyList<QueryResult> Query(string query, string input = "{}") =>
        CompiledPolicy.Compile("m.rego", "package test\n").Evaluate(query, Value.FromJson(input));

    [Fact]
    public void A_single_non_iterating_expression_reports_false_as_its_value()
    {
        var results = Query("1 == 2");
        results.Should().ContainSingle().Which.Expressions.Single().Value.Should().Be(Value.False);
    }

    [Theory]
    [InlineData("x := 1; x == 2")]
    [InlineData("input.xs[i] == 5")]
    [InlineData("some i; input.xs[i] > 9")]
    public void With_several_expressions_or_iteration_false_is_no_solution(string query)
    {
        Query(query, """{"xs": [1, 2]}""").Should().BeEmpty();
    }

    [Fact]
    public void Iterating_queries_keep_the_true_solutions()
    {
        Query("input.xs[i] > 1", """{"xs": [1, 2, 3]}""").Select(r => r.Bindings["i"])
            .Should().BeEquivalentTo([Value.Number(1), Value.Number(2)]);
    }
}
