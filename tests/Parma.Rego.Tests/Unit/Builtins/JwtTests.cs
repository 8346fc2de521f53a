using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using static Parma.Rego.Tests.Unit.Builtins.BuiltinAssert;

namespace Parma.Rego.Tests.Unit.Builtins;

public sealed class JwtTests
{
    private const string Header = """{"alg":"RS256","typ":"JWT"}""";
    private const string Payload = """{"sub":"alice","n":1}""";

    // One RSA key for every case: generating keys is the slow part.
    private static readonly RSA SharedRsa = RSA.Create(2048);

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    private static string Token(Func<byte[], byte[]> sign, string header = Header)
    {
        var input = B64(header) + "." + B64(Payload);
        return input + "." + B64(sign(Encoding.ASCII.GetBytes(input)));
    }

    private static Value? Verify(string builtin, string token, string key) =>
        Eval($"{builtin}({Value.Quote(token)}, {Value.Quote(key)})");

    [Fact]
    public void Decode_returns_header_payload_and_hex_signature()
    {
        var token = B64(Header) + "." + B64(Payload) + "." + B64([0xde, 0xad, 0xbe, 0xef]);
        Eval($"io.jwt.decode({Value.Quote(token)})").Should().Be(Value.FromJson($$"""[{{Header}}, {{Payload}}, "deadbeef"]"""));
    }

    [Theory]
    [InlineData("abc", "encoded JWT had no period separators")]
    [InlineData("a.b", "encoded JWT must have 3 sections, found 2")]
    [InlineData("e30.bm90IGpzb24.c2ln", "JWT payload had invalid encoding: not JSON")]
    public void Malformed_tokens_are_errors(string token, string message)
    {
        Fails($"io.jwt.decode({Value.Quote(token)})").Message.Should().Contain(message);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(384)]
    [InlineData(512)]
    public void Rsa_pss_and_ecdsa_signatures_verify_with_a_pem_key_a_certificate_or_a_jwk(int bits)
    {
        var hash = bits switch { 256 => HashAlgorithmName.SHA256, 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
        var rsa = SharedRsa;
        var rsPem = rsa.ExportSubjectPublicKeyInfoPem();
        var rs = Token(d => rsa.SignData(d, hash, RSASignaturePadding.Pkcs1));
        Verify($"io.jwt.verify_rs{bits}", rs, rsPem).Should().Be(Value.True);
        var request = new CertificateRequest("CN=test", rsa, hash, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Verify($"io.jwt.verify_rs{bits}", rs, cert.ExportCertificatePem()).Should().Be(Value.True);
        var p = rsa.ExportParameters(false);
        var jwks = $$"""{"keys": [{"kty": "RSA", "n": "{{B64(p.Modulus!)}}", "e": "{{B64(p.Exponent!)}}"}]}""";
        Verify($"io.jwt.verify_rs{bits}", rs, jwks).Should().Be(Value.True);
        Verify($"io.jwt.verify_rs{bits}", rs[..^4] + "AAAA", rsPem).Should().Be(Value.False);

        var ps = Token(d => rsa.SignData(d, hash, RSASignaturePadding.Pss));
        Verify($"io.jwt.verify_ps{bits}", ps, rsPem).Should().Be(Value.True);
        Verify($"io.jwt.verify_rs{bits}", ps, rsPem).Should().Be(Value.False);

        var curve = bits switch { 256 => ECCurve.NamedCurves.nistP256, 384 => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 };
        using var ec = ECDsa.Create(curve);
        var es = Token(d => ec.SignData(d, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Verify($"io.jwt.verify_es{bits}", es, ec.ExportSubjectPublicKeyInfoPem()).Should().Be(Value.True);
        using var other = ECDsa.Create(curve);
        Verify($"io.jwt.verify_es{bits}", es, other.ExportSubjectPublicKeyInfoPem()).Should().Be(Value.False);
        Verify($"io.jwt.verify_es{bits}", es, rsPem).Should().Be(Value.False);

        var secret = Encoding.UTF8.GetBytes("s3cret");
        var hs = Token(d => bits switch { 256 => HMACSHA256.HashData(secret, d), 384 => HMACSHA384.HashData(secret, d), _ => HMACSHA512.HashData(secret, d) });
        Verify($"io.jwt.verify_hs{bits}", hs, "s3cret").Should().Be(Value.True);
        Verify($"io.jwt.verify_hs{bits}", hs, "wrong").Should().Be(Value.False);
    }

    [Fact]
    public void Eddsa_verifies_the_rfc_8037_example()
    {
        const string token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        const string jwk = """{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""";
        Verify("io.jwt.verify_eddsa", token, jwk).Should().Be(Value.True);
        Verify("io.jwt.verify_eddsa", token.Replace("RXhh", "RXhi", StringComparison.Ordinal), jwk).Should().Be(Value.False);
        Verify("io.jwt.verify_eddsa", token[..^3] + "AAg", jwk).Should().Be(Value.False);
    }

    [Theory]
    [InlineData("io.jwt.verify_rs256(\"e30.e30.c2ln\", \"not a key\")", "failed to parse a JWK key (set) or PEM encoded certificate or public key")]
    [InlineData("io.jwt.verify_rs256(\"e30.e30.c2ln\", \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\")", "failed to parse public key")]
    [InlineData("io.jwt.verify_es256(\"abc\", \"{}\")", "encoded JWT had no period separators")]
    [InlineData("io.jwt.verify_rs256(\"e30.e30.c2ln\", \"{\\\"kty\\\": \\\"XYZ\\\"}\")", "unsupported JWK key type XYZ")]
    public void Bad_tokens_and_keys_are_errors(string expression, string message)
    {
        Fails(expression).Message.Should().Contain(message);
    }
}

public sealed class JwtDecodeVerifyTests
{
    private static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hs256(string payload, string secret = "s3cret", string header = """{"alg":"HS256","typ":"JWT"}""")
    {
        var input = B64(header) + "." + B64(payload);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.ASCII.GetBytes(input));
        return input + "." + Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static Value? Verify(string token, string constraints) => Eval($"io.jwt.decode_verify({Value.Quote(token)}, {constraints})");

    [Fact]
    public void A_valid_token_gives_its_header_and_payload()
    {
        var token = Hs256("""{"iss": "me", "aud": ["a", "b"], "exp": 2000, "nbf": 1000}""");
        Verify(token, """{"secret": "s3cret", "time": 1500000000000, "iss": "me", "aud": "b", "alg": "HS256"}""")
            .Should().Be(Value.FromJson("""[true, {"alg": "HS256", "typ": "JWT"}, {"iss": "me", "aud": ["a", "b"], "exp": 2000, "nbf": 1000}]"""));
    }

    [Theory]
    [InlineData("""{"secret": "wrong", "time": 1500000000000, "aud": "a"}""")]
    [InlineData("""{"secret": "s3cret", "time": 2000000000000, "aud": "a"}""")]
    [InlineData("""{"secret": "s3cret", "time": 999000000000, "aud": "a"}""")]
    [InlineData("""{"secret": "s3cret", "time": 1500000000000, "aud": "a", "iss": "other"}""")]
    [InlineData("""{"secret": "s3cret", "time": 1500000000000}""")]
    [InlineData("""{"secret": "s3cret", "time": 1500000000000, "aud": "c"}""")]
    [InlineData("""{"secret": "s3cret", "time": 1500000000000, "aud": "a", "alg": "RS256"}""")]
    [InlineData("""{"cert": "{\"kty\": \"RSA\", \"n\": \"AQAB\", \"e\": \"AQAB\"}", "time": 1500000000000, "aud": "a"}""")]
    public void Signature_expiry_not_before_issuer_audience_and_algorithm_are_checked(string constraints)
    {
        var token = Hs256("""{"iss": "me", "aud": ["a", "b"], "exp": 2000, "nbf": 1000}""");
        Verify(token, constraints).Should().Be(Value.FromJson("[false, {}, {}]"));
    }

    [Theory]
    [InlineData("""{"exp": null}""", """{"secret": "s3cret"}""", "exp value must be a number")]
    [InlineData("""{}""", """{"secret": "s3cret", "cert": "x"}""", "duplicate key constraints")]
    [InlineData("""{}""", """{"time": 1}""", "no key constraints")]
    [InlineData("""{}""", """{"secret": "s3cret", "colour": "red"}""", "unknown token validation constraint: colour")]
    public void Bad_claims_and_constraints_are_errors(string payload, string constraints, string message)
    {
        Fails($"io.jwt.decode_verify({Value.Quote(Hs256(payload))}, {constraints})").Message.Should().Contain(message);
    }
}
