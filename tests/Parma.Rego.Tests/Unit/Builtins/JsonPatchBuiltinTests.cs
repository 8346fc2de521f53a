using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

/// <summary>json.patch on RFC 6902's edge cases: the whole document, "-", index bounds, "~" escapes; a failing patch is undefined.</summary>
public sealed class JsonPatchBuiltinTests
{
    [Theory]
    [InlineData("""{"foo": "bar"}""", """[{"op": "replace", "path": "", "value": {"baz": "qux"}}]""", """{"baz": "qux"}""")]
    [InlineData("{}", """[{"op": "add", "path": "", "value": []}]""", "[]")]
    [InlineData("[]", """[{"op": "add", "path": "/-", "value": "hi"}]""", """["hi"]""")]
    [InlineData("{}", """[{"op": "add", "path": "/", "value": 1}]""", """{"": 1}""")]
    [InlineData("""{"foo": {}}""", """[{"op": "add", "path": "/foo/", "value": 1}]""", """{"foo": {"": 1}}""")]
    [InlineData("""["foo", "sil"]""", """[{"op": "add", "path": "/2", "value": "bar"}]""", """["foo", "sil", "bar"]""")]
    [InlineData("""{"foo": 1}""", """[{"op": "add", "path": "/0", "value": "bar"}]""", """{"foo": 1, "0": "bar"}""")]
    [InlineData("""{"foo": ["all", "grass", "cows", "eat"]}""", """[{"op": "move", "from": "/foo/1", "path": "/foo/3"}]""", """{"foo": ["all", "cows", "eat", "grass"]}""")]
    [InlineData("""{"/": 9, "~1": 10}""", """[{"op": "test", "path": "/~01", "value": 10}]""", """{"/": 9, "~1": 10}""")]
    [InlineData("""{"1e0": "foo"}""", """[{"op": "test", "path": "/1e0", "value": "foo"}]""", """{"1e0": "foo"}""")]
    public void Patches_apply(string doc, string patch, string expected) => Is($"json.patch({doc}, {patch})", expected);


    [Theory]
    [InlineData("""{"bar": [1, 2]}""", """[{"op": "add", "path": "/bar/8", "value": "5"}]""")]
    [InlineData("""{"bar": [1, 2]}""", """[{"op": "add", "path": "/bar/-1", "value": "5"}]""")]
    [InlineData("""["foo", "sil"]""", """[{"op": "add", "path": "/3", "value": "bar"}]""")]
    [InlineData("""["foo", "bar"]""", """[{"op": "test", "path": "/1e0", "value": "bar"}]""")]
    [InlineData("""["foo", "sil"]""", """[{"op": "add", "path": "/bar", "value": 42}]""")]
    [InlineData("""{"bar": "baz"}""", """[{"op": "replace", "path": "/foo/bar", "value": false}]""")]
    [InlineData("""{"q": {"bar": 2}}""", """[{"op": "add", "path": "/a/b", "value": 1}]""")]
    public void Failing_patches_are_undefined(string doc, string patch) => Eval($"json.patch({doc}, {patch})").Should().BeNull();
}
