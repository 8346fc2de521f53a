using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class UrlQueryTests
{
    [Theory]
    [InlineData("urlquery.encode(\"a b&c=d/é~\")", "\"a+b%26c%3Dd%2F%C3%A9~\"")]
    [InlineData("urlquery.decode(\"a+b%26c%3Dd%2F%C3%A9~\")", "\"a b&c=d/é~\"")]
    [InlineData("urlquery.encode_object({\"b\": \"x y\", \"a\": [\"1\", \"2\"], \"c\": {\"z\"}})", "\"a=1&a=2&b=x+y&c=z\"")]
    [InlineData("urlquery.decode_object(\"a=1&a=2&b=x+y&c\")", """{"a": ["1", "2"], "b": ["x y"], "c": [""]}""")]
    public void Query_strings_round_trip(string expression, string expected)
    {
        Is(expression, expected);
    }

    [Theory]
    [InlineData("urlquery.decode(\"%zz\")", "eval_builtin_error")]
    [InlineData("urlquery.decode_object(\"a=%\")", "eval_builtin_error")]
    [InlineData("urlquery.encode_object({\"a\": 1})", "eval_type_error")]
    public void Bad_escapes_and_values_are_errors(string expression, string code)
    {
        Fails(expression, code);
    }
}
