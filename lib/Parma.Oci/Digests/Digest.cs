using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Parma.Oci.Digests;

/// <summary>A content digest such as <c>sha256:…</c> (OCI image spec). Only sha256 and sha512 can be verified.</summary>
public sealed partial record Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    public static Digest Parse(string value)
    {
        if (!TryParse(value, out var digest, out var error))
        {
            throw new FormatException(error);
        }

        return digest;
    }

    public static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = null!;
        if (string.IsNullOrEmpty(value) || !Shape().IsMatch(value))
        {
            error = $"'{value}' is not a digest (expected algorithm:hex, e.g. sha256:<64 hex digits>).";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (expectedLength < 0)
        {
            error = $"Digest '{value}' uses the unsupported algorithm '{algorithm}' (sha256 and sha512 are supported).";
            return false;
        }

        if (hex.Length != expectedLength || !LowerHex().IsMatch(hex))
        {
            error = $"Digest '{value}' must have {expectedLength} lowercase hex digits after '{algorithm}:'.";
            return false;
        }

        digest = new Digest(algorithm, hex);
        error = string.Empty;
        return true;
    }

    public static Digest Sha256Of(ReadOnlySpan<byte> data) => new("sha256", Convert.ToHexStringLower(SHA256.HashData(data)));

    public static Digest FromHash(string algorithm, byte[] hash) => new(algorithm, Convert.ToHexStringLower(hash));

    public HashAlgorithmName HashAlgorithm => Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;

    /// <summary>Throws <see cref="DigestMismatchException"/> unless <paramref name="content"/> hashes to this digest.</summary>
    public void Verify(ReadOnlySpan<byte> content, string what)
    {
        var actual = Algorithm == "sha512" ? SHA512.HashData(content) : SHA256.HashData(content);
        var actualDigest = FromHash(Algorithm, actual);
        if (actualDigest != this)
        {
            throw new DigestMismatchException(what, this, actualDigest);
        }
    }

    public override string ToString() => $"{Algorithm}:{Hex}";

    [GeneratedRegex("^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")]
    private static partial Regex Shape();

    [GeneratedRegex("^[0-9a-f]+$")]
    private static partial Regex LowerHex();
}
