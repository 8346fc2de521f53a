namespace Parma.Rego.Tests.Unit;

public sealed class RegexTests
{
    private static Value? Eval(string expression)
    {
        var policy = CompiledPolicy.Compile("r.rego", $"package r\nx := {expression}\n");
        return policy.EvaluateRule("data.r.x");
    }

    [Fact]
    public void Dollar_does_not_match_before_a_trailing_newline()
    {
        Eval("""regex.match("^abc$", "abc\n")""").Should().Be(Value.False);
        Eval("""regex.match("^abc$", "abc")""").Should().Be(Value.True);
    }

    [Fact]
    public void Caret_is_the_start_of_text_unless_multiline()
    {
        Eval("""regex.match("^abc", "xabc")""").Should().Be(Value.False);
        Eval("""regex.match("^abc", "x\nabc")""").Should().Be(Value.False);
        Eval("""regex.match("(?m)^abc", "x\nabc")""").Should().Be(Value.True);
        Eval("""regex.match("(?m:^b)|^a", "ab")""").Should().Be(Value.True);
        Eval("""regex.match("x|^b", "ab")""").Should().Be(Value.False);
        Eval("""regex.match("[^a]^?b", "cb")""").Should().Be(Value.True);
        Eval("""regex.match("\\^a", "^a")""").Should().Be(Value.True);
    }

    [Fact]
    public void Digit_class_is_ascii_only()
    {
        Eval("""regex.match("^\\d+$", "١٢٣")""").Should().Be(Value.False);
        Eval("""regex.match("^\\d+$", "123")""").Should().Be(Value.True);
    }

    [Fact]
    public void Net_only_constructs_are_rejected_with_a_clear_error()
    {
        var policy = CompiledPolicy.Compile("r.rego", "package r\nx := regex.match(input.p, \"aa\")\n", options: new RegoOptions { StrictBuiltinErrors = true });
        var act = () => policy.EvaluateRule("data.r.x", Value.FromJson("""{"p":"(a)\\1"}"""));
        act.Should().Throw<RegoException>().Which.Message.Should().Contain("backreferences");
        var look = () => policy.EvaluateRule("data.r.x", Value.FromJson("""{"p":"a(?=a)"}"""));
        look.Should().Throw<RegoException>().Which.Code.Should().Be("eval_builtin_error");
    }

    [Fact]
    public void Invalid_regex_is_undefined_unless_strict()
    {
        Eval("""regex.match("(", "x")""").Should().BeNull();
    }

    [Fact]
    public void Submatches_and_split_follow_go()
    {
        Eval("""regex.find_all_string_submatch_n("a(x*)b", "-ab-axxb-", -1)""")!.ToJson().Should().Be("""[["ab",""],["axxb","xx"]]""");
        Eval("""regex.split("a*", "baaac")""")!.ToJson().Should().Be("""["b","c"]""");
    }

    [Fact]
    public void Strings_index_by_code_point()
    {
        Eval("""substring("héllo😀world", 5, 3)""")!.ToJson().Should().Be("\"😀wo\"");
        Eval("""indexof("😀abc", "b")""").Should().Be(Value.Number(2));
        Eval("""count("😀😀")""").Should().Be(Value.Number(2));
    }

    [Theory]
    [InlineData("regex.match(\"^.$\", \"😀\")", "true")]
    [InlineData("regex.match(\"^[^a]$\", \"😀\")", "true")]
    [InlineData("regex.match(\"^😀+$\", \"😀😀\")", "true")]
    [InlineData("regex.match(`\\bcaf\\b`, \"café\")", "true")]
    [InlineData("regex.match(`\\Bé`, \"café\")", "false")]
    [InlineData("regex.match(\"(?s:a.b)\", \"a\\nb\")", "true")]
    [InlineData("regex.match(\"(?s:a)a.b\", \"aa\\nb\")", "false")]
    [InlineData("regex.match(\"(?m)^b$\", \"a\\nb\\nc\")", "true")]
    [InlineData("regex.match(\"(?i)ABC\", \"abc\")", "true")]
    [InlineData("regex.match(`^\\101$`, \"A\")", "true")]
    [InlineData("regex.find_all_string_submatch_n(\"(?P<a>x)(y)\", \"xy\", -1)", "[[\"xy\",\"x\",\"y\"]]")]
    [InlineData("regex.find_all_string_submatch_n(\"(?<a>x)(y)\", \"xy\", -1)", "[[\"xy\",\"x\",\"y\"]]")]
    [InlineData("regex.replace(\"baaac\", \"a*\", \"X\")", "\"XbXcX\"")]
    [InlineData("regex.replace(\"abc\", \"(?P<first>a)(b)\", \"${first}-$2-$$\")", "\"a-b-$c\"")]
    [InlineData("regex.replace(\"abc\", \"(a)\", \"$1x\")", "\"bc\"")]
    [InlineData("regex.replace(\"abc\", \"b\", \"$\")", "\"a$c\"")]
    [InlineData("regex.is_valid(\"(?<name>x)\")", "true")]
    [InlineData("regex.is_valid(\"(?<=x)y\")", "false")]
    [InlineData("regex.is_valid(\"[a\")", "false")]
    [InlineData("regex.is_valid(\"a)\")", "false")]
    [InlineData("regex.is_valid(\"(a\")", "false")]
    public void Follows_re2_semantics(string expression, string expected)
    {
        Eval(expression)!.ToJson().Should().Be(expected);
    }
}
