namespace Parma.Rego.Tests.Unit;

public sealed class JsonPatchTests
{
    private static readonly Value Doc = Value.FromJson("""{"a":{"b":[1,2]},"c":"x"}""");

    [Theory]
    [InlineData("""[{"op":"add","path":"/a/b/1","value":9}]""", """{"a":{"b":[1,9,2]},"c":"x"}""")]
    [InlineData("""[{"op":"add","path":"/a/b/-","value":3}]""", """{"a":{"b":[1,2,3]},"c":"x"}""")]
    [InlineData("""[{"op":"remove","path":"/c"}]""", """{"a":{"b":[1,2]}}""")]
    [InlineData("""[{"op":"replace","path":"/c","value":{"k":1}}]""", """{"a":{"b":[1,2]},"c":{"k":1}}""")]
    [InlineData("""[{"op":"move","from":"/c","path":"/d"}]""", """{"a":{"b":[1,2]},"d":"x"}""")]
    [InlineData("""[{"op":"copy","from":"/a/b","path":"/e"}]""", """{"a":{"b":[1,2]},"c":"x","e":[1,2]}""")]
    [InlineData("""[{"op":"test","path":"/c","value":"x"},{"op":"add","path":"/x~1y","value":true}]""", """{"a":{"b":[1,2]},"c":"x","x/y":true}""")]
    [InlineData("""[{"op":"add","path":"/0","value":1},{"op":"add","path":"/b","value":2},{"op":"add","path":"/z","value":3},{"op":"add","path":"/c","value":4}]""", """{"0":1,"a":{"b":[1,2]},"b":2,"c":4,"z":3}""")]
    [InlineData("""[{"op":"remove","path":"/a"},{"op":"remove","path":"/c"},{"op":"add","path":"/n","value":{}},{"op":"add","path":"/n/m","value":1}]""", """{"n":{"m":1}}""")]
    [InlineData("""[{"op":"replace","path":"/a/b/0","value":5},{"op":"remove","path":"/a/b"}]""", """{"a":{},"c":"x"}""")]
    public void Applies_rfc6902_operations(string ops, string expected)
    {
        JsonPatch.Apply(Doc, Value.FromJson(ops)).ToJson().Should().Be(Value.FromJson(expected).ToJson());
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/z","value":1},{"op":"test","path":"/c","value":"nope"}]""")]
    [InlineData("""[{"op":"remove","path":"/missing"}]""")]
    [InlineData("""[{"op":"add","path":"/a/b/7","value":1}]""")]
    [InlineData("""[{"op":"frobnicate","path":"/c"}]""")]
    [InlineData("""{"op":"add"}""")]
    [InlineData("""[{"op":"copy","from":"/a/b/+1","path":"/e"}]""")]
    [InlineData("""[{"op":"test","path":"/a/b/ 0","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a/b/01","value":1}]""")]
    public void Failing_patches_change_nothing_and_raise_rego_errors(string ops)
    {
        var act = () => JsonPatch.Apply(Doc, Value.FromJson(ops));
        act.Should().Throw<RegoException>();
        Doc.ToJson().Should().Be("""{"a":{"b":[1,2]},"c":"x"}""");
    }
}
