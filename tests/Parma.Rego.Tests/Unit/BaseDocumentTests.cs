namespace Parma.Rego.Tests.Unit;

/// <summary>
/// References into base documents (data given to the engine or mounted into it) read keys the way OPA's store
/// does: path segments are strings, so a number finds the key with its text and a string of digits indexes an
/// array. Rule values and input keep exact key matching.
/// </summary>
public sealed class BaseDocumentTests
{
    private const string Data = """
        {"nested": {"2": "two", "2.5": "two and a half", "true": "t", "null": "n", "k": {"7": "seven"}},
         "arr": ["zero", "one", "two"]}
        """;

    private static Value? Query(string expression, string? input = null, string module = "package test\n")
    {
        var policy = CompiledPolicy.Compile("m.rego", module, Value.FromJson(Data));
        var results = policy.Evaluate($"x := {expression}", input is null ? null : Value.FromJson(input));
        return results.Count == 0 ? null : results.Single().Bindings["x"];
    }

    [Theory]
    [InlineData("data.nested[2]", "two")]
    [InlineData("data.nested[1 + 1]", "two")]
    [InlineData("data.nested[2.5]", "two and a half")]
    [InlineData("data.nested.k[7]", "seven")]
    [InlineData("data.nested[\"2\"]", "two")]
    [InlineData("data.arr[1]", "one")]
    [InlineData("data.arr[\"1\"]", "one")]
    [InlineData("data.arr[\"+1\"]", "one")]
    [InlineData("data.arr[\"02\"]", "two")]
    public void A_scalar_key_reads_the_base_document_through_its_path_text(string reference, string expected)
    {
        Query(reference).Should().Be(Value.String(expected));
    }

    [Theory]
    [InlineData("data.nested[true]")]
    [InlineData("data.nested[null]")]
    [InlineData("data.nested[[2]]")]
    [InlineData("data.nested[3]")]
    [InlineData("data.arr[\"-1\"]")]
    [InlineData("data.arr[\"1.0\"]")]
    [InlineData("data.arr[\"one\"]")]
    [InlineData("data.arr[\" 1\"]")]
    [InlineData("data.arr[\"3\"]")]
    [InlineData("data.arr[\"99999999999999999999\"]")]
    public void Booleans_null_composites_and_non_integer_array_segments_name_nothing(string reference)
    {
        Query(reference).Should().BeNull();
    }

    [Fact]
    public void Keys_computed_at_run_time_and_deeper_segments_convert_too()
    {
        Query("data.nested[input.n]", """{"n": 2}""").Should().Be(Value.String("two"));
        Query("data.nested.k[input.n]", """{"n": 7}""").Should().Be(Value.String("seven"));
        Query("[v | some i in [0, 2]; v := data.nested[i]]").Should().Be(Value.FromJson("""["two"]"""));
    }

    [Fact]
    public void Enumerating_a_base_document_yields_its_own_keys()
    {
        Query("{k | data.nested[k] == \"two\"}").Should().Be(Value.Set([Value.String("2")]));
        Query("{i | data.arr[i] == \"two\"}").Should().Be(Value.Set([Value.Number(2)]));
    }

    [Fact]
    public void Input_and_rule_values_keep_exact_keys()
    {
        Query("input.nested[2]", """{"nested": {"2": "two"}}""").Should().BeNull();
        Query("input.arr[\"1\"]", """{"arr": ["zero", "one"]}""").Should().BeNull();
        const string module = "package test\np := {\"2\": \"virtual\"}\nq := [\"a\", \"b\"]\n";
        Query("data.test.p[2]", module: module).Should().BeNull();
        Query("data.test.q[\"1\"]", module: module).Should().BeNull();
        Query("data.test.p[\"2\"]", module: module).Should().Be(Value.String("virtual"));
    }

    [Fact]
    public void A_rule_reading_base_data_with_a_number_is_defined()
    {
        const string module = "package test\nallow if data.nested[input.n] == \"two\"\n";
        var policy = CompiledPolicy.Compile("m.rego", module, Value.FromJson(Data));
        policy.EvaluateRule("data.test.allow", Value.FromJson("""{"n": 2}""")).Should().Be(Value.True);
        policy.EvaluateRule("data.test.allow", Value.FromJson("""{"n": 3}""")).Should().BeNull();
    }

    [Fact]
    public void Mounted_documents_are_base_documents()
    {
        var policy = CompiledPolicy.Compile("m.rego", "package test\nv := data.state.counts[input.n]\n");
        var mount = new DataMount("data.state", Value.FromJson("""{"counts": {"3": "three"}}"""));
        policy.EvaluateRule("data.test.v", Value.FromJson("""{"n": 3}"""), [mount]).Should().Be(Value.String("three"));
    }
}
