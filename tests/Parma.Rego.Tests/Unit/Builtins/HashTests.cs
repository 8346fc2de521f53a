using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class HashTests
{
    private const string Fox = "\"The quick brown fox jumps over the lazy dog\"";

    [Theory]
    [InlineData("crypto.md5(\"\")", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("crypto.sha1(\"abc\")", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("crypto.sha256(\"abc\")", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("crypto.hmac.md5(" + Fox + ", \"key\")", "80070713463e7749b90c2dc24911e275")]
    [InlineData("crypto.hmac.sha1(" + Fox + ", \"key\")", "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")]
    [InlineData("crypto.hmac.sha256(" + Fox + ", \"key\")", "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")]
    [InlineData("crypto.hmac.sha512(" + Fox + ", \"key\")", "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a")]
    public void Digests_are_lower_case_hex_of_the_utf8_bytes(string expression, string hex)
    {
        Eval(expression).Should().Be(Value.String(hex));
    }

    [Fact]
    public void Hmac_equal_compares_exactly()
    {
        Is("crypto.hmac.equal(\"abc\", \"abc\")", "true");
        Is("crypto.hmac.equal(\"abc\", \"abd\")", "false");
        Is("crypto.hmac.equal(\"abc\", \"ab\")", "false");
    }

    [Theory]
    [InlineData("crypto.md5(input.n)")]
    [InlineData("crypto.hmac.sha256(\"x\", input.n)")]
    public void Non_strings_are_type_errors(string expression)
    {
        Fails(expression, "eval_type_error", """{"n": 1}""");
    }
}
