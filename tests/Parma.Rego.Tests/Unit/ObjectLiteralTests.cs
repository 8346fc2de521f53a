namespace Parma.Rego.Tests.Unit;

/// <summary>Object literals with constant keys reuse one sorted key list; the objects must be the same as ever.</summary>
public sealed class ObjectLiteralTests
{
    private const string Module = """
        package p

        op(path, v) := {"value": v, "op": "add", "path": path}

        mixed(k, v) := {"z": v, k: 1, "a": 2}

        numbers(v) := {2: v, 1: "one", "b": true}
        """;

    private static readonly CompiledPolicy Policy = CompiledPolicy.Compile("p.rego", Module);

    [Fact]
    public void Constant_key_objects_are_sorted_and_equal_to_parsed_json()
    {
        for (var i = 0; i < 3; i++)
        {
            var built = Eval($"data.p.op(\"/x/{i}\", {i})");
            built.Should().Be(Value.FromJson($$"""{"op": "add", "path": "/x/{{i}}", "value": {{i}}}"""));
            built.ToJson().Should().Be($$"""{"op":"add","path":"/x/{{i}}","value":{{i}}}""");
            built["path"].Should().Be(Value.String($"/x/{i}"));
        }

        Eval("data.p.numbers([1])").Should().Be(Value.Object([
            KeyValuePair.Create(Value.Number(1), Value.String("one")),
            KeyValuePair.Create(Value.Number(2), Value.FromJson("[1]")),
            KeyValuePair.Create(Value.String("b"), Value.True),
        ]));
        Eval("data.p.numbers([1])").ToJson().Should().Be("""{"1":"one","2":[1],"b":true}""");
    }

    [Fact]
    public void Variable_keys_and_undefined_values_behave_as_before()
    {
        Eval("data.p.mixed(\"m\", 0)").Should().Be(Value.FromJson("""{"a": 2, "m": 1, "z": 0}"""));
        Eval("data.p.mixed(\"a\", 0)").Should().Be(Value.FromJson("""{"a": 2, "z": 0}"""));
        Policy.Evaluate("x := data.p.op(\"/p\", input.missing)", Value.EmptyObject).Should().BeEmpty();
    }

    private static Value Eval(string expression) => Policy.Evaluate($"x := {expression}", Value.EmptyObject)[0].Bindings["x"];
}
