using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>
/// io.jwt.decode and the io.jwt.verify_* family over JWS compact serialisation: keys are PEM certificates, PEM public
/// keys or JWK (sets); HS* take the shared secret. A wrong signature is false; a malformed token or key is an error.
/// io.jwt.decode_verify checks exp and nbf against the time constraint, or the clock when none is given (as OPA does);
/// io.jwt.encode_sign* are left out (they sign with keys held in the policy and random nonces).
/// </summary>
internal static class Jwt
{
    public static void Register(Registrar add)
    {
        add("io.jwt.decode", 1, a =>
        {
            var token = Parse("io.jwt.decode", Args.Str("io.jwt.decode", a, 0));
            return Value.Array(token.Header, token.Payload, Value.String(Convert.ToHexStringLower(token.Signature)));
        });
        foreach (var bits in new[] { 256, 384, 512 })
        {
            var hash = bits switch { 256 => HashAlgorithmName.SHA256, 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
            Asymmetric(add, $"io.jwt.verify_rs{bits}", (key, data, sig) => key is VerificationKeys.Rsa r && VerifyRsa(r, data, sig, hash, RSASignaturePadding.Pkcs1));
            Asymmetric(add, $"io.jwt.verify_ps{bits}", (key, data, sig) => key is VerificationKeys.Rsa r && VerifyRsa(r, data, sig, hash, RSASignaturePadding.Pss));
            Asymmetric(add, $"io.jwt.verify_es{bits}", (key, data, sig) => key is VerificationKeys.Ec e && VerifyEc(e, data, sig, hash));
            var name = $"io.jwt.verify_hs{bits}";
            add(name, 2, a =>
            {
                var token = Signed(name, Args.Str(name, a, 0));
                var secret = Encoding.UTF8.GetBytes(Args.Str(name, a, 1));
                var mac = bits switch
                {
                    256 => HMACSHA256.HashData(secret, token.SigningInput),
                    384 => HMACSHA384.HashData(secret, token.SigningInput),
                    _ => HMACSHA512.HashData(secret, token.SigningInput),
                };
                return Value.Bool(CryptographicOperations.FixedTimeEquals(mac, token.Signature));
            });
        }

        Asymmetric(add, "io.jwt.verify_eddsa", (key, data, sig) => key is VerificationKeys.Okp o && Ed25519.Verify(o.PublicKey, data, sig));
        add("io.jwt.decode_verify", 2, DecodeVerify);
    }

    private static readonly Value Invalid = Value.Array(Value.False, Value.EmptyObject, Value.EmptyObject);

    /// <summary>
    /// io.jwt.decode_verify(token, constraints): [valid, header, payload]. Constraints: cert (PEM or JWK set) or secret,
    /// and optionally alg, iss, aud and time (ns; the clock when absent, as in OPA). exp and nbf are checked against time.
    /// </summary>
    private static Value? DecodeVerify(Value[] a)
    {
        const string name = "io.jwt.decode_verify";
        var text = Args.Str(name, a, 0);
        var constraints = Args.Obj(name, a, 1);
        string? cert = null, secret = null, alg = null, iss = null, aud = null;
        BigInteger? time = null;
        foreach (var (keyValue, value) in constraints.Pairs.Select(p => (p.Key, p.Value)))
        {
            var key = keyValue is StringValue ks ? ks.Text : keyValue.ToJson();
            string Text() => value is StringValue v ? v.Text : throw Args.Error(name, $"{key} constraint must be a string");
            switch (key)
            {
                case "cert": cert = Text(); break;
                case "secret": secret = Text(); break;
                case "alg": alg = Text(); break;
                case "iss": iss = Text(); break;
                case "aud": aud = Text(); break;
                case "time":
                    time = value is NumberValue n ? (n.IsInteger ? n.Integer : new BigInteger(n.AsDouble)) : throw Args.Error(name, "time constraint must be a number");
                    break;
                default:
                    throw Args.Error(name, $"unknown token validation constraint: {key}");
            }
        }

        if (cert is not null && secret is not null)
        {
            throw Args.Error(name, "duplicate key constraints");
        }

        if (cert is null && secret is null)
        {
            throw Args.Error(name, "no key constraints");
        }

        var token = Parse(name, text);
        var (input, signature) = Signed(name, text);
        var headerAlg = token.Header["alg"] is StringValue ha ? ha.Text : null;
        if (headerAlg is null || (alg is not null && alg != headerAlg))
        {
            return Invalid;
        }

        bool verified;
        if (headerAlg.StartsWith("HS", StringComparison.Ordinal))
        {
            if (secret is null)
            {
                return Invalid;
            }

            var key = Encoding.UTF8.GetBytes(secret);
            byte[]? mac = headerAlg switch
            {
                "HS256" => HMACSHA256.HashData(key, input),
                "HS384" => HMACSHA384.HashData(key, input),
                "HS512" => HMACSHA512.HashData(key, input),
                _ => null,
            };
            verified = mac is not null && CryptographicOperations.FixedTimeEquals(mac, signature);
        }
        else
        {
            if (cert is null)
            {
                return Invalid;
            }

            var keys = VerificationKeys.Parse(name, cert);
            var hash = headerAlg.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384 : headerAlg.EndsWith("512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
            Func<VerificationKeys.Key, bool>? check = headerAlg switch
            {
                "RS256" or "RS384" or "RS512" => k => k is VerificationKeys.Rsa r && VerifyRsa(r, input, signature, hash, RSASignaturePadding.Pkcs1),
                "PS256" or "PS384" or "PS512" => k => k is VerificationKeys.Rsa r && VerifyRsa(r, input, signature, hash, RSASignaturePadding.Pss),
                "ES256" or "ES384" or "ES512" => k => k is VerificationKeys.Ec e && VerifyEc(e, input, signature, hash),
                "EdDSA" => k => k is VerificationKeys.Okp o && Ed25519.Verify(o.PublicKey, input, signature),
                _ => null,
            };
            verified = check is not null && keys.Any(check);
        }

        if (!verified || token.Payload is not ObjectValue payload)
        {
            return Invalid;
        }

        var now = time ?? (BigInteger)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        if (payload["exp"] is { } exp)
        {
            if (exp is not NumberValue expNumber)
            {
                throw Args.Error(name, "exp value must be a number");
            }

            if ((decimal)now >= (decimal)expNumber.AsDouble * 1_000_000_000m)
            {
                return Invalid;
            }
        }

        if (payload["nbf"] is { } nbf)
        {
            if (nbf is not NumberValue nbfNumber)
            {
                throw Args.Error(name, "nbf value must be a number");
            }

            if ((decimal)now < (decimal)nbfNumber.AsDouble * 1_000_000_000m)
            {
                return Invalid;
            }
        }

        if (iss is not null && !(payload["iss"] is StringValue tokenIss && tokenIss.Text == iss))
        {
            return Invalid;
        }

        var tokenAud = payload["aud"];
        if (tokenAud is not null || aud is not null)
        {
            var audiences = tokenAud switch
            {
                StringValue single => [single.Text],
                ArrayValue list => list.Items.OfType<StringValue>().Select(v => v.Text).ToArray(),
                _ => Array.Empty<string>(),
            };
            if (aud is null || !audiences.Contains(aud))
            {
                return Invalid;
            }
        }

        return Value.Array(Value.True, token.Header, payload);
    }

    internal sealed record Token(Value Header, Value Payload, byte[] Signature, byte[] SigningInput);

    /// <summary>The signing input and signature of a JWS compact token; verification reads nothing else.</summary>
    private static (byte[] SigningInput, byte[] Signature) Signed(string name, string text)
    {
        var parts = Sections(name, text);
        return (Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), VerificationKeys.Base64Url(name, parts[2]));
    }

    private static string[] Sections(string name, string text)
    {
        var parts = text.Split('.');
        if (parts.Length == 1)
        {
            throw Args.Error(name, "encoded JWT had no period separators");
        }

        if (parts.Length != 3)
        {
            throw Args.Error(name, $"encoded JWT must have 3 sections, found {parts.Length}");
        }

        return parts;
    }

    internal static Token Parse(string name, string text)
    {
        var parts = text.Split('.');
        if (parts.Length == 1)
        {
            throw Args.Error(name, "encoded JWT had no period separators");
        }

        if (parts.Length != 3)
        {
            throw Args.Error(name, $"encoded JWT must have 3 sections, found {parts.Length}");
        }

        var header = Json(name, parts[0], "header");
        if (header is not ObjectValue)
        {
            throw Args.Error(name, "JWT header is not a JSON object");
        }

        if (header["enc"] is not null)
        {
            throw Args.Error(name, "JWT is a JWE object, which is not supported");
        }

        var payload = Json(name, parts[1], "payload");
        return new Token(header, payload, VerificationKeys.Base64Url(name, parts[2]), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
    }

    private static Value Json(string name, string part, string what)
    {
        var text = VerificationKeys.Utf8(VerificationKeys.Base64Url(name, part));
        try
        {
            return Value.FromJson(text);
        }
        catch (RegoException)
        {
            throw Args.Error(name, $"JWT {what} had invalid encoding: not JSON");
        }
    }

    private static void Asymmetric(Registrar add, string name, Func<VerificationKeys.Key, byte[], byte[], bool> verify) =>
        add(name, 2, a =>
        {
            var token = Signed(name, Args.Str(name, a, 0));
            var keys = VerificationKeys.Parse(name, Args.Str(name, a, 1));
            return Value.Bool(keys.Any(k => verify(k, token.SigningInput, token.Signature)));
        });

    private static bool VerifyRsa(VerificationKeys.Rsa key, byte[] data, byte[] signature, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(key.Parameters);
        return rsa.VerifyData(data, signature, hash, padding);
    }

    private static bool VerifyEc(VerificationKeys.Ec key, byte[] data, byte[] signature, HashAlgorithmName hash)
    {
        using var ec = ECDsa.Create(key.Parameters);
        return ec.VerifyData(data, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
