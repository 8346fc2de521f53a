using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class JsonDocumentTests
{
    private const string Doc = """{"a": {"b": 1, "c": [10, 20, 30]}, "d": 4, "e/f": 5}""";

    [Theory]
    [InlineData("[\"a/b\", \"d\"]", """{"a": {"b": 1}, "d": 4}""")]
    [InlineData("{[\"a\", \"c\", 1]}", """{"a": {"c": [20]}}""")]
    [InlineData("[\"a/c/0\", \"a/c/2\"]", """{"a": {"c": [10, 30]}}""")]
    [InlineData("[\"a\", \"a/b\"]", """{"a": {"b": 1, "c": [10, 20, 30]}}""")]
    [InlineData("[\"e~1f\"]", """{"e/f": 5}""")]
    [InlineData("[\"missing\"]", "{}")]
    public void Filter_keeps_only_the_paths(string paths, string expected)
    {
        Is($"json.filter({Doc}, {paths})", expected);
    }

    [Theory]
    [InlineData("[\"a/b\", \"d\"]", """{"a": {"c": [10, 20, 30]}, "e/f": 5}""")]
    [InlineData("{[\"a\", \"c\", 1]}", """{"a": {"b": 1, "c": [10, 30]}, "d": 4, "e/f": 5}""")]
    [InlineData("[\"a\"]", """{"d": 4, "e/f": 5}""")]
    [InlineData("[\"nope/x\"]", Doc)]
    public void Remove_drops_the_paths(string paths, string expected)
    {
        Is($"json.remove({Doc}, {paths})", expected);
    }

    [Fact]
    public void Filter_and_remove_check_their_operands()
    {
        Fails("json.filter([1], [\"a\"])", "eval_type_error");
        Fails("json.remove({\"a\": 1}, [1])", "eval_type_error");
    }

    [Fact]
    public void Patch_applies_rfc6902_and_is_undefined_when_an_operation_fails()
    {
        Is("""json.patch({"a": {"foo": 1}}, [{"op": "add", "path": "/a/bar", "value": 2}])""", """{"a": {"foo": 1, "bar": 2}}""");
        Is("""json.patch({"a": [1, 2]}, [{"op": "add", "path": ["a", "-"], "value": 3}, {"op": "remove", "path": "/a/0"}])""", """{"a": [2, 3]}""");
        Is("""json.patch({"a": 1}, [{"op": "copy", "from": "/a", "path": "/b"}, {"op": "test", "path": "/b", "value": 1}])""", """{"a": 1, "b": 1}""");
        Eval("""json.patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])""").Should().BeNull();
        Eval("""json.patch({"a": 1}, [{"op": "remove", "path": "/b"}])""").Should().BeNull();
        Fails("json.patch({}, {})", "eval_type_error");
    }

    [Fact]
    public void Marshal_with_options_lays_out_like_go_marshal_indent()
    {
        Is("""json.marshal_with_options({"a": [1, {"b": true}], "c": {}}, {"pretty": true})""", "\"{\\n\\t\\\"a\\\": [\\n\\t\\t1,\\n\\t\\t{\\n\\t\\t\\t\\\"b\\\": true\\n\\t\\t}\\n\\t],\\n\\t\\\"c\\\": {}\\n}\"");
        Is("""json.marshal_with_options([1, 2], {"indent": "  ", "prefix": "> "})""", "\"[\\n>   1,\\n>   2\\n> ]\"");
        Is("""json.marshal_with_options({"a": 1}, {"indent": "  ", "pretty": false})""", "\"{\\\"a\\\":1}\"");
        Fails("""json.marshal_with_options(1, {"colour": true})""").Message.Should().Contain("unknown key");
        Fails("""json.marshal_with_options(1, {"indent": 2})""");
    }
}
