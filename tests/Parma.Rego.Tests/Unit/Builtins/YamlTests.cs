using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class YamlTests
{
    [Theory]
    [InlineData("a: 1\nb: [x, 'y']\nc: {d: null}\n", """{"a": 1, "b": ["x", "y"], "c": {"d": null}}""")]
    [InlineData("on: yes\noff: no\n", """{"true": true, "false": false}""")]
    [InlineData("1: one\n2.5: two\n", """{"1": "one", "2.5": "two"}""")]
    [InlineData("- 0x1F\n- 1e3\n- 1.5\n- \"42\"\n- ~\n- -7\n", """[31, 1000, 1.5, "42", null, -7]""")]
    [InlineData("text: |\n  line one\n  line two\n", """{"text": "line one\nline two\n"}""")]
    [InlineData("", "null")]
    [InlineData("first: 1\n---\nsecond: 2\n", """{"first": 1}""")]
    public void Unmarshal_reads_yaml_1_1_scalars(string yaml, string expected)
    {
        Is($"yaml.unmarshal({Value.Quote(yaml)})", expected);
    }

    [Fact]
    public void Invalid_yaml_is_an_error_and_not_valid()
    {
        Fails("yaml.unmarshal(\"a: [1\")").Message.Should().Contain("yaml.unmarshal: yaml: line");
        Is("yaml.is_valid(\"a: [1\")", "false");
        Is("yaml.is_valid(\"a: 1\")", "true");
        Fails("yaml.is_valid(1)", "eval_type_error");
    }

    [Theory]
    [InlineData("""{"foo": [1, 2, 3]}""", "foo:\n- 1\n- 2\n- 3\n")]
    [InlineData("""{"a": {"b": "c"}, "d": []}""", "a:\n  b: c\nd: []\n")]
    [InlineData("""[{"a": 1, "b": 2}, [3, 4]]""", "- a: 1\n  b: 2\n- - 3\n  - 4\n")]
    [InlineData("""{"s": "true", "t": "12", "u": "", "v": "a: b", "w": "x\ny"}""", "s: \"true\"\nt: \"12\"\nu: \"\"\nv: 'a: b'\nw: \"x\\ny\"\n")]
    [InlineData("null", "null\n")]
    public void Marshal_writes_block_style_with_sorted_keys(string value, string expected)
    {
        Eval($"yaml.marshal({value})").Should().Be(Value.String(expected));
    }

    [Theory]
    [InlineData("""{"a": [1, {"b": ["c", "true", null]}], "d": {"e": 1.5}}""")]
    [InlineData("""["- x", "#y", "k: v", " pad ", "multi\nline"]""")]
    public void Marshal_then_unmarshal_gives_the_value_back(string value)
    {
        Is($"yaml.unmarshal(yaml.marshal({value}))", value);
    }
}
