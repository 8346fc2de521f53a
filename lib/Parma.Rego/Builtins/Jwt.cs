using System.Security.Cryptography;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>
/// io.jwt.decode and the io.jwt.verify_* family over JWS compact serialisation: keys are PEM certificates, PEM public
/// keys or JWK (sets); HS* take the shared secret. A wrong signature is false; a malformed token or key is an error.
/// io.jwt.decode_verify and io.jwt.encode_sign* are left out (they read the clock or sign with random nonces).
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
