namespace Parma.Rego.Tests.Unit.Builtins;

/// <summary>OPA's deprecated builtins: callable from Rego v0 modules, a compile error in v1 modules.</summary>
public sealed class DeprecatedTests
{
    private static Value? V0(string expression) =>
        CompiledPolicy.Compile("d.rego", $"package d\nx = {expression} {{ true }}\n", options: new RegoOptions { Version = RegoVersion.V0, StrictBuiltinErrors = true }).EvaluateRule("data.d.x");

    [Theory]
    [InlineData("all([true, true])", "true")]
    [InlineData("all({true, false})", "false")]
    [InlineData("any([false, true])", "true")]
    [InlineData("any([])", "false")]
    [InlineData("cast_array({2, 1})", "[1, 2]")]
    [InlineData("cast_set([2, 1, 2])", "[1, 2]")]
    [InlineData("cast_boolean(true)", "true")]
    [InlineData("cast_null(null)", "null")]
    [InlineData("cast_object({\"a\": 1})", """{"a": 1}""")]
    [InlineData("cast_string(\"s\")", "\"s\"")]
    [InlineData("set_diff({1, 2, 3}, {2})", "[1, 3]")]
    [InlineData("re_match(\"^a+$\", \"aaa\")", "true")]
    [InlineData("net.cidr_overlap(\"10.0.0.0/8\", \"10.1.1.1\")", "true")]
    public void Deprecated_builtins_work_in_v0(string expression, string expected)
    {
        var value = V0(expression)!;
        (value is SetValue s ? Value.Array(s.Elements) : value).Should().Be(Value.FromJson(expected));
    }

    [Theory]
    [InlineData("cast_boolean(1)")]
    [InlineData("cast_string(1)")]
    [InlineData("all(1)")]
    public void Wrong_types_are_type_errors(string expression)
    {
        var act = () => V0(expression);
        act.Should().Throw<RegoException>().Which.Code.Should().Be("eval_type_error");
    }

    [Theory]
    [InlineData("any([true])")]
    [InlineData("re_match(\"a\", \"a\")")]
    [InlineData("set_diff({1}, {1})")]
    public void V1_modules_may_not_call_them(string expression)
    {
        var act = () => CompiledPolicy.Compile("d.rego", $"package d\nx := {expression}\n", options: new RegoOptions { Version = RegoVersion.V1 });
        act.Should().Throw<RegoException>().Which.Message.Should().Contain("deprecated built-in function calls in expression");
    }
}
