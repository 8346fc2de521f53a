using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class NetTests
{
    [Theory]
    [InlineData("net.cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")", "true")]
    [InlineData("net.cidr_contains(\"10.0.0.0/8\", \"11.0.0.0\")", "false")]
    [InlineData("net.cidr_contains(\"10.0.0.0/8\", \"10.1.0.0/16\")", "true")]
    [InlineData("net.cidr_contains(\"10.1.0.0/16\", \"10.0.0.0/8\")", "false")]
    [InlineData("net.cidr_contains(\"10.1.2.3/8\", \"10.200.0.1\")", "true")]
    [InlineData("net.cidr_contains(\"2001:db8::/32\", \"2001:db8:1::1\")", "true")]
    [InlineData("net.cidr_contains(\"2001:db8::/32\", \"10.0.0.1\")", "false")]
    [InlineData("net.cidr_contains(\"192.168.0.0/16\", \"::ffff:192.168.1.1\")", "true")]
    [InlineData("net.cidr_intersects(\"10.0.0.0/8\", \"10.2.0.0/16\")", "true")]
    [InlineData("net.cidr_intersects(\"10.0.0.0/16\", \"10.2.0.0/16\")", "false")]
    [InlineData("net.cidr_is_valid(\"10.0.0.0/8\")", "true")]
    [InlineData("net.cidr_is_valid(\"10.0.0.0/33\")", "false")]
    [InlineData("net.cidr_is_valid(\"010.0.0.0/8\")", "false")]
    [InlineData("net.cidr_is_valid(\"10.0.0.0\")", "false")]
    [InlineData("net.cidr_is_valid(\"::/0\")", "true")]
    [InlineData("net.cidr_expand(\"192.168.1.254/31\")", "[\"192.168.1.254\", \"192.168.1.255\"]")]
    [InlineData("net.cidr_expand(\"10.0.0.1/32\")", "[\"10.0.0.1\"]")]
    [InlineData("net.cidr_merge([\"192.0.128.0/24\", \"192.0.129.0/24\"])", "[\"192.0.128.0/23\"]")]
    [InlineData("net.cidr_merge([\"10.0.0.0/8\", \"10.1.0.0/16\", \"10.0.0.1\"])", "[\"10.0.0.0/8\"]")]
    [InlineData("net.cidr_merge([\"10.0.0.1\", \"10.0.0.2\"])", "[\"10.0.0.1/32\", \"10.0.0.2/32\"]")]
    [InlineData("net.cidr_merge([\"10.0.0.2\", \"10.0.0.3\", \"2001:db8::/33\", \"2001:db8:8000::/33\"])", "[\"10.0.0.2/31\", \"2001:db8::/32\"]")]
    [InlineData("net.cidr_merge([\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64\", \"2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128\"])", "[\"2601:600:8a80:207e::/64\"]")]
    [InlineData("net.cidr_contains_matches(\"1.1.1.0/24\", \"1.1.1.128\")", "[[\"1.1.1.0/24\", \"1.1.1.128\"]]")]
    [InlineData("net.cidr_contains_matches([\"1.1.1.0/24\", \"1.1.2.0/24\"], {\"x\": \"1.1.2.3\", \"y\": [\"1.1.1.9\", \"extra\"]})", "[[0, \"y\"], [1, \"x\"]]")]
    public void Cidr_builtins_follow_go_address_parsing(string expression, string expected)
    {
        var value = Eval(expression)!;
        (value is SetValue s ? Value.Array(s.Elements) : value).Should().Be(Value.FromJson(expected), expression);
    }

    [Theory]
    [InlineData("net.cidr_contains(\"10.0.0.0\", \"10.0.0.1\")", "invalid CIDR address: 10.0.0.0")]
    [InlineData("net.cidr_contains(\"10.0.0.0/8\", \"not-an-ip\")", "invalid CIDR address: not-an-ip")]
    [InlineData("net.cidr_intersects(\"10.0.0.0/8\", \"x\")", "invalid CIDR address: x")]
    [InlineData("net.cidr_merge([\"bad\"])", "IP/CIDR not valid: bad")]
    [InlineData("net.cidr_merge([\"2601:600:8a80:207e:a57d:7567:e2c9:e7b3\"])", "net.cidr_merge: IPv6 invalid: needs prefix length")]
    [InlineData("net.cidr_expand(\"2001:db8::/64\")", "more than")]
    public void Bad_addresses_are_builtin_errors(string expression, string message)
    {
        Fails(expression).Message.Should().Contain(message);
    }
}
