namespace Parma.Rego.Tests.Unit.Builtins;

/// <summary>Evaluates one builtin expression (as `x := expr`) with OPA's strict builtin errors on or off.</summary>
internal static class BuiltinAssert
{
    /// <summary>The value, or null when undefined. Strict: errors raise.</summary>
    public static Value? Eval(string expression, string? input = null, bool strict = true)
    {
        var policy = CompiledPolicy.Compile("b.rego", $"package b\nx := {expression}\n", options: new RegoOptions { StrictBuiltinErrors = strict });
        return policy.EvaluateRule("data.b.x", input is null ? null : Value.FromJson(input));
    }

    public static void Is(string expression, string expectedJson, string? input = null) =>
        Eval(expression, input).Should().Be(Value.FromJson(expectedJson), expression);

    /// <summary>The builtin's error with its code; without strict errors the expression is undefined instead, as in OPA.</summary>
    public static RegoException Fails(string expression, string code = "eval_builtin_error", string? input = null)
    {
        Eval(expression, input, strict: false).Should().BeNull($"{expression} is undefined without strict builtin errors");
        var act = () => Eval(expression, input);
        var error = act.Should().Throw<RegoException>().Which;
        error.Code.Should().Be(code, expression);
        return error;
    }
}
