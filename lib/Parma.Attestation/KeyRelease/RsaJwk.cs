using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Parma.Attestation.KeyRelease;

/// <summary>An RSA public key as a JSON Web Key (RFC 7517): kty "RSA", base64url n and e.</summary>
public sealed record RsaJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] string E)
{
    public const int MinimumKeySizeBits = 2048;

    public static RsaJwk FromKey(RSA key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new RsaJwk("RSA", Base64Url.Encode(parameters.Modulus!), Base64Url.Encode(parameters.Exponent!));
    }

    /// <summary>The RFC 7638 canonical form: required members in lexicographic order, no whitespace.</summary>
    public string CanonicalJson() => $"{{\"e\":\"{E}\",\"kty\":\"{Kty}\",\"n\":\"{N}\"}}";

    /// <summary>RFC 7638 thumbprint: base64url(SHA-256(canonical JSON)).</summary>
    public string Thumbprint() => Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson())));

    /// <summary>What the guest puts in REPORT_DATA: SHA-256 of the canonical JSON, zero-padded to 64 bytes.</summary>
    public byte[] ReportData() => Claims.ReportDataBinding.ForClaim(Encoding.UTF8.GetBytes(CanonicalJson()));

    /// <summary>Imports the key; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public RSA ToKey()
    {
        if (Kty != "RSA")
        {
            throw new FormatException($"public key type '{Kty}' is not RSA");
        }

        byte[] modulus;
        byte[] exponent;
        try
        {
            modulus = Base64Url.Decode(N);
            exponent = Base64Url.Decode(E);
        }
        catch (FormatException)
        {
            throw new FormatException("public key n or e is not base64url");
        }

        if (modulus.Length * 8 < MinimumKeySizeBits || modulus[0] == 0)
        {
            throw new FormatException($"public key modulus is {modulus.Length * 8} bits; at least {MinimumKeySizeBits} without leading zeros are required");
        }

        var key = RSA.Create();
        try
        {
            key.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new FormatException($"public key is not a valid RSA key: {e.Message}", e);
        }
    }
}

/// <summary>base64url without padding (RFC 4648 §5), as JWK uses.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
