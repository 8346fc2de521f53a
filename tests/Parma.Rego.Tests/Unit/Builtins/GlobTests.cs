using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class GlobTests
{
    [Theory]
    [InlineData("*.github.com", "[]", "api.github.com", true)]
    [InlineData("*.github.com", "[]", "api.cdn.github.com", false)]
    [InlineData("*.github.com", "null", "api.cdn.github.com", true)]
    [InlineData("**.github.com", "[]", "api.cdn.github.com", true)]
    [InlineData("*:github:com", "[\":\"]", "api:github:com", true)]
    [InlineData("*:github:com", "[\":\"]", "api.x:github:com", true)]
    [InlineData("?at", "[]", "cat", true)]
    [InlineData("?at", "[]", ".at", false)]
    [InlineData("[abc]at", "[]", "bat", true)]
    [InlineData("[!abc]at", "[]", "bat", false)]
    [InlineData("[a-c]at", "[]", "cat", true)]
    [InlineData("[!a-c]at", "[]", "dat", true)]
    [InlineData("{cat,bat,[fr]at}", "[]", "rat", true)]
    [InlineData("{cat,bat,[fr]at}", "[]", "mat", false)]
    [InlineData("{api,web}.*.com", "[]", "web.example.com", true)]
    [InlineData("\\*.com", "[]", "*.com", true)]
    [InlineData("\\*.com", "[]", "a.com", false)]
    public void Match_follows_glob_syntax(string pattern, string delimiters, string text, bool expected)
    {
        Eval($"glob.match({Value.Quote(pattern)}, {delimiters}, {Value.Quote(text)})").Should().Be(Value.Bool(expected), pattern);
    }

    [Theory]
    [InlineData("*.github.com", "\\*.github.com")]
    [InlineData("[a]{b}?\\", "\\[a\\]\\{b\\}\\?\\\\")]
    public void Quote_meta_escapes_glob_syntax(string text, string expected)
    {
        Eval($"glob.quote_meta({Value.Quote(text)})").Should().Be(Value.String(expected));
        Eval($"glob.match(glob.quote_meta({Value.Quote(text)}), [], {Value.Quote(text)})").Should().Be(Value.True);
    }

    [Theory]
    [InlineData("glob.match(\"[abc\", [], \"a\")", "eval_builtin_error")]
    [InlineData("glob.match(\"{a,b\", [], \"a\")", "eval_builtin_error")]
    [InlineData("glob.match(\"a\", \"x\", \"a\")", "eval_type_error")]
    public void Bad_patterns_and_delimiters_are_errors(string expression, string code)
    {
        Fails(expression, code);
    }
}
