using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Parma.Rego.Builtins;

/// <summary>Public keys for signature checks from PEM certificates, PEM public keys, a JWK or a JWK set.</summary>
internal static class VerificationKeys
{
    public abstract record Key;

    public sealed record Rsa(RSAParameters Parameters) : Key;

    public sealed record Ec(ECParameters Parameters) : Key;

    public sealed record Okp(byte[] PublicKey) : Key;

    public static List<Key> Parse(string name, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            return FromJwk(name, trimmed);
        }

        if (!trimmed.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            throw Args.Error(name, "failed to parse a JWK key (set) or PEM encoded certificate or public key");
        }

        var keys = new List<Key>();
        foreach (var (label, der) in Pem(name, trimmed))
        {
            keys.Add(label switch
            {
                "CERTIFICATE" => FromCertificate(name, der),
                "PUBLIC KEY" => FromSubjectPublicKeyInfo(name, der),
                "RSA PUBLIC KEY" => FromRsaPublicKey(name, der),
                _ => throw Args.Error(name, $"unsupported PEM block {label}"),
            });
        }

        return keys;
    }

    public static IEnumerable<(string Label, byte[] Der)> Pem(string name, string text)
    {
        var blocks = new List<(string, byte[])>();
        var rest = text.AsSpan();
        while (true)
        {
            var begin = rest.IndexOf("-----BEGIN ", StringComparison.Ordinal);
            if (begin < 0)
            {
                break;
            }

            rest = rest[(begin + 11)..];
            var labelEnd = rest.IndexOf("-----", StringComparison.Ordinal);
            if (labelEnd < 0)
            {
                throw Args.Error(name, "malformed PEM block");
            }

            var label = rest[..labelEnd].ToString();
            rest = rest[(labelEnd + 5)..];
            var end = rest.IndexOf($"-----END {label}-----", StringComparison.Ordinal);
            if (end < 0)
            {
                throw Args.Error(name, $"PEM block {label} is not terminated");
            }

            var body = rest[..end].ToString();
            rest = rest[(end + label.Length + 14)..];
            if (body.Contains(':', StringComparison.Ordinal))
            {
                throw Args.Error(name, $"encrypted or annotated PEM block {label} is not supported");
            }

            try
            {
                blocks.Add((label, Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))));
            }
            catch (FormatException)
            {
                throw Args.Error(name, $"PEM block {label} is not valid base64");
            }
        }

        if (blocks.Count == 0)
        {
            throw Args.Error(name, "no PEM block found");
        }

        return blocks;
    }

    private static Key FromCertificate(string name, byte[] der)
    {
        try
        {
#pragma warning disable SYSLIB0057
            using var cert = new X509Certificate2(der);
#pragma warning restore SYSLIB0057
            return FromSubjectPublicKeyInfo(name, cert.PublicKey.ExportSubjectPublicKeyInfo());
        }
        catch (CryptographicException e)
        {
            throw Args.Error(name, $"failed to parse certificate: {e.Message}");
        }
    }

    public static Key FromSubjectPublicKeyInfo(string name, byte[] der)
    {
        // Ed25519 (OID 1.3.101.112): a fixed 12-byte prefix and the 32-byte key.
        byte[] ed25519Prefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
        if (der.Length == 44 && der.AsSpan(0, 12).SequenceEqual(ed25519Prefix))
        {
            return new Okp(der[12..]);
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(der, out _);
            return new Rsa(rsa.ExportParameters(false));
        }
        catch (CryptographicException)
        {
        }

        try
        {
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(der, out _);
            return new Ec(ec.ExportParameters(false));
        }
        catch (CryptographicException e)
        {
            throw Args.Error(name, $"failed to parse public key: {e.Message}");
        }
    }

    private static Key FromRsaPublicKey(string name, byte[] der)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(der, out _);
            return new Rsa(rsa.ExportParameters(false));
        }
        catch (CryptographicException e)
        {
            throw Args.Error(name, $"failed to parse RSA public key: {e.Message}");
        }
    }

    private static List<Key> FromJwk(string name, string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Args.Error(name, $"failed to parse a JWK key (set): {e.Message}");
        }

        using (doc)
        {
            var keys = new List<Key>();
            if (doc.RootElement.TryGetProperty("keys", out var set) && set.ValueKind == JsonValueKind.Array)
            {
                foreach (var k in set.EnumerateArray())
                {
                    keys.Add(Jwk(name, k));
                }
            }
            else
            {
                keys.Add(Jwk(name, doc.RootElement));
            }

            return keys;
        }
    }

    private static Key Jwk(string name, JsonElement k)
    {
        string Field(string field) => k.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Args.Error(name, $"JWK is missing \"{field}\"");
        byte[] Bytes(string field) => Base64Url(name, Field(field));
        switch (Field("kty"))
        {
            case "RSA":
                return new Rsa(new RSAParameters { Modulus = Bytes("n"), Exponent = Bytes("e") });
            case "EC":
                var curve = Field("crv") switch
                {
                    "P-256" => ECCurve.NamedCurves.nistP256,
                    "P-384" => ECCurve.NamedCurves.nistP384,
                    "P-521" => ECCurve.NamedCurves.nistP521,
                    var c => throw Args.Error(name, $"unsupported JWK curve {c}"),
                };
                return new Ec(new ECParameters { Curve = curve, Q = new ECPoint { X = Bytes("x"), Y = Bytes("y") } });
            case "OKP" when Field("crv") == "Ed25519":
                return new Okp(Bytes("x"));
            case var kty:
                throw Args.Error(name, $"unsupported JWK key type {kty}");
        }
    }

    public static byte[] Base64Url(string name, string text)
    {
        var s = text.TrimEnd('=').Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            throw Args.Error(name, "illegal base64 data");
        }
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
