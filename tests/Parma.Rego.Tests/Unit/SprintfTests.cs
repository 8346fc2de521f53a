namespace Parma.Rego.Tests.Unit;

/// <summary>sprintf follows Go's fmt with the argument types OPA passes (int, *big.Int, float64, string).</summary>
public sealed class SprintfTests
{
    private static string Sprintf(string format, string args)
    {
        var policy = CompiledPolicy.Compile("s.rego", $"package s\nx := sprintf({System.Text.Json.JsonSerializer.Serialize(format)}, {args})\n");
        return ((StringValue)policy.EvaluateRule("data.s.x")!).Text;
    }

    [Theory]
    [InlineData("hi %v", "[2e308]", "hi 2e308")]
    [InlineData("%d", "[2e308]", "%!d(string=2e308)")]
    [InlineData("%v %s %d", "[\"a\", \"b\", 12]", "a b 12")]
    [InlineData("%s", "[1]", "%!s(int=1)")]
    [InlineData("%t", "[true]", "%!t(string=true)")]
    [InlineData("%v", "[true]", "true")]
    [InlineData("%v", "[[\"there\", 5, 3.14]]", "[\"there\", 5, 3.14]")]
    [InlineData("%.2f", "[3]", "%!f(int=3)")]
    [InlineData("%.2f", "[3.1415]", "3.14")]
    [InlineData("%v", "[1234567.5]", "1.2345675e+06")]
    [InlineData("%v", "[123456.5]", "123456.5")]
    [InlineData("%v", "[0.000015]", "1.5e-05")]
    [InlineData("%v", "[0.0001]", "0.0001")]
    [InlineData("%g", "[0.5]", "0.5")]
    [InlineData("%.3g", "[1234.5678]", "1.23e+03")]
    [InlineData("%.3g", "[3.14159]", "3.14")]
    [InlineData("%.3G", "[0.0000123456]", "1.23E-05")]
    [InlineData("%e", "[1234.5678]", "1.234568e+03")]
    [InlineData("%q", "[\"a\\\"b\\n\"]", "\"a\\\"b\\n\"")]
    [InlineData("%q", "[\"<é>\"]", "\"<é>\"")]
    [InlineData("%q", "[65]", "'A'")]
    [InlineData("%c", "[65]", "A")]
    [InlineData("%x %X %o %b", "[255, 255, 8, 5]", "ff FF 10 101")]
    [InlineData("%05d|%-4d|%4d", "[-42, 7, 7]", "-0042|7   |   7")]
    [InlineData("%+d", "[5]", "+5")]
    [InlineData("%.2s", "[\"héllo\"]", "hé")]
    [InlineData("%d %d", "[1]", "1 %!d(MISSING)")]
    [InlineData("%d", "[1, \"a\", 2.5]", "1%!(EXTRA string=a, float64=2.5)")]
    [InlineData("%d|%s|%v", "[12345678901234567890123, 12345678901234567890123, 12345678901234567890123]", "12345678901234567890123|12345678901234567890123|12345678901234567890123")]
    [InlineData("%f", "[12345678901234567890123]", "%!f(big.Int=12345678901234567890123)")]
    public void Formats_like_go(string format, string args, string expected)
    {
        Sprintf(format, args).Should().Be(expected);
    }
}

/// <summary>String builtins where OPA's Go implementation has specific edge behaviour.</summary>
public sealed class StringBuiltinEdgeTests
{
    private static Value? Eval(string expression, bool strict = false)
    {
        var policy = CompiledPolicy.Compile("s.rego", $"package s\nx := {expression}\n", options: new RegoOptions { StrictBuiltinErrors = strict });
        return policy.EvaluateRule("data.s.x");
    }

    [Theory]
    [InlineData("format_int(-3.7, 10)", "\"-3\"")]
    [InlineData("format_int(3.7, 16)", "\"3\"")]
    [InlineData("format_int(-255, 16)", "\"-ff\"")]
    [InlineData("substring(\"héllo\", 1, -1)", "\"éllo\"")]
    [InlineData("replace(\"abc\", \"\", \"-\")", "\"-a-b-c-\"")]
    [InlineData("split(\"a😀b\", \"\")", "[\"a\",\"😀\",\"b\"]")]
    [InlineData("strings.count(\"héllo\", \"\")", "6")]
    public void Match_opa(string expression, string expected)
    {
        Eval(expression)!.ToJson().Should().Be(expected);
    }

    [Theory]
    [InlineData("indexof(\"abc\", \"\")", "empty search character")]
    [InlineData("indexof_n(\"abc\", \"\")", "empty search character")]
    [InlineData("substring(\"abc\", -1, 1)", "negative offset")]
    [InlineData("format_int(1, 3)", "operand 2 must be one of {2, 8, 10, 16}")]
    public void Errors_are_undefined_unless_strict(string expression, string message)
    {
        Eval(expression).Should().BeNull();
        var act = () => Eval(expression, strict: true);
        var error = act.Should().Throw<RegoException>().Which;
        error.Code.Should().Be("eval_builtin_error");
        error.Message.Should().Contain(message);
    }
}
