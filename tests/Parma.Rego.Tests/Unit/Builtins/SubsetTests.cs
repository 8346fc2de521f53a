using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class SubsetTests
{
    [Theory]
    [InlineData("""{"a": "b", "c": {"x": {10, 15, 20, 25}, "y": "z"}}""", """{"c": {"x": {10, 15, 20}}}""", true)]
    [InlineData("""{"a": "b", "c": {"x": {10, 15, 20, 25}, "y": "z"}}""", """{"c": {"x": {10, 15, 21}}}""", false)]
    [InlineData("""{"a": 1}""", """{"a": 1, "b": 2}""", false)]
    [InlineData("""{"a": [1, 2, 3, 4]}""", """{"a": [2, 3]}""", true)]
    [InlineData("""{"a": [1, 2, 3, 4]}""", """{"a": [2, 4]}""", false)]
    [InlineData("{1, 2, 3}", "{1, 3}", true)]
    [InlineData("{1, 2, 3}", "{4}", false)]
    [InlineData("[1, 2, 3]", "[1, 2]", true)]
    [InlineData("[1, 2, 3]", "[]", true)]
    [InlineData("[1, 2, 3]", "{3, 1}", true)]
    [InlineData("[1, 2, 3]", "{3, 5}", false)]
    public void Subset_recurses_into_objects(string super, string sub, bool expected)
    {
        Eval($"object.subset({super}, {sub})").Should().Be(Value.Bool(expected));
    }

    [Theory]
    [InlineData("object.subset(1, {})")]
    [InlineData("object.subset({}, [1])")]
    [InlineData("object.subset({1}, [1])")]
    public void Mismatched_kinds_are_type_errors(string expression)
    {
        Fails(expression, "eval_type_error");
    }

    [Theory]
    [InlineData("numbers.range_step(0, 10, 3)", "[0, 3, 6, 9]")]
    [InlineData("numbers.range_step(10, 0, 5)", "[10, 5, 0]")]
    [InlineData("numbers.range_step(2, 2, 1)", "[2]")]
    public void Range_step_counts_in_steps_either_way(string expression, string expected)
    {
        Is(expression, expected);
    }

    [Fact]
    public void Range_step_needs_a_positive_integer_step()
    {
        Fails("numbers.range_step(0, 10, 0)").Message.Should().Contain("step must be a positive number above zero");
        Fails("numbers.range_step(0, 10, -1)");
        Fails("numbers.range_step(0, 1.5, 1)", "eval_type_error").Message.Should().Contain("operand 2 must be integer");
    }
}
