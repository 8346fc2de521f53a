using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Parma.Claims;

/// <summary>
/// HOST_DATA for a policy document, as the guest expects it (DESIGN.md): SHA-256 of the exact policy text bytes, or,
/// for a Kata initdata TOML, the digest named by its <c>algorithm</c> over the exact TOML bytes, truncated or
/// zero-padded to 32 bytes.
/// </summary>
public static partial class HostDataCalculator
{
    public const int Length = 32;

    public static byte[] ForPolicyText(ReadOnlySpan<byte> policy) => SHA256.HashData(policy);

    public static byte[] ForInitData(ReadOnlySpan<byte> toml, string algorithm)
    {
        var digest = algorithm.ToLowerInvariant() switch
        {
            "sha256" => SHA256.HashData(toml),
            "sha384" => SHA384.HashData(toml),
            "sha512" => SHA512.HashData(toml),
            _ => throw new FormatException($"initdata algorithm '{algorithm}' is not sha256, sha384 or sha512"),
        };
        var hostData = new byte[Length];
        digest.AsSpan(0, Math.Min(Length, digest.Length)).CopyTo(hostData);
        return hostData;
    }

    /// <summary>Chooses by content: a TOML with an <c>algorithm = "…"</c> line and a <c>[data]</c> table is initdata.</summary>
    public static byte[] ForDocument(byte[] bytes)
    {
        var algorithm = InitDataAlgorithm(bytes);
        return algorithm is null ? ForPolicyText(bytes) : ForInitData(bytes, algorithm);
    }

    /// <summary>The initdata digest algorithm, or null when the document is not an initdata TOML.</summary>
    public static string? InitDataAlgorithm(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var algorithm = AlgorithmLine().Match(text);
        return algorithm.Success && DataTable().IsMatch(text) ? algorithm.Groups[1].Value : null;
    }

    [GeneratedRegex("""^\s*algorithm\s*=\s*["']([A-Za-z0-9]+)["']\s*$""", RegexOptions.Multiline)]
    private static partial Regex AlgorithmLine();

    [GeneratedRegex(@"^\s*\[data\]\s*$", RegexOptions.Multiline)]
    private static partial Regex DataTable();
}
