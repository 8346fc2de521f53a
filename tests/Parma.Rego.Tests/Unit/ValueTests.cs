namespace Parma.Rego.Tests.Unit;

public sealed class ValueTests
{
    [Fact]
    public void Integers_and_integral_floats_are_equal_and_hash_alike()
    {
        var one = Value.FromJson("1");
        var oneFloat = Value.FromJson("1.0");
        one.Should().Be(oneFloat);
        one.GetHashCode().Should().Be(oneFloat.GetHashCode());
    }

    [Fact]
    public void Large_integers_stay_exact()
    {
        var big = Value.FromJson("123456789012345678901234567890");
        big.ToJson().Should().Be("123456789012345678901234567890");
        big.Should().NotBe(Value.FromJson("123456789012345678901234567891"));
    }

    [Fact]
    public void Kinds_order_like_opa()
    {
        var ordered = new[]
        {
            Value.Null, Value.False, Value.True, Value.Number(-1), Value.Number(2.5), Value.String("a"),
            Value.Array(Value.Number(1)), Value.Object([new KeyValuePair<string, Value>("a", Value.Null)]), Value.Set([Value.Number(1)]),
        };
        ordered.Reverse().Order().Should().Equal(ordered);
    }

    [Fact]
    public void Canonical_json_sorts_object_keys_and_writes_sets_as_arrays()
    {
        var v = Value.FromJson("""{"b": 1, "a": [true, null, "x"]}""");
        v.ToJson().Should().Be("""{"a":[true,null,"x"],"b":1}""");
        Value.Set([Value.Number(3), Value.Number(1), Value.Number(1)]).ToJson().Should().Be("[1,3]");
    }

    [Fact]
    public void Invalid_json_is_a_rego_error()
    {
        var act = () => Value.FromJson("{nope");
        act.Should().Throw<RegoException>();
    }
}
