using System.Security.Cryptography;
using System.Text;

namespace Parma.Policy.Output;

/// <summary>
/// host_data: the 32 bytes fixed in the SNP report's HOST_DATA at launch. For the agent-policy
/// annotation it is SHA-256 of the exact policy text bytes; for initdata it is the digest named in
/// the TOML over the exact TOML bytes, truncated or zero-padded to 32 bytes.
/// </summary>
public static class HostData
{
    public const int Length = 32;

    public static byte[] OfPolicy(string policyText) => SHA256.HashData(Encoding.UTF8.GetBytes(policyText));

    public static readonly IReadOnlySet<string> InitDataAlgorithms = new HashSet<string>(StringComparer.Ordinal) { "sha256", "sha384", "sha512" };

    public static byte[] OfInitData(byte[] tomlBytes, string algorithm)
    {
        var digest = algorithm switch
        {
            "sha256" => SHA256.HashData(tomlBytes),
            "sha384" => SHA384.HashData(tomlBytes),
            "sha512" => SHA512.HashData(tomlBytes),
            _ => throw new ArgumentException($"initdata algorithm '{algorithm}' is not one of sha256, sha384, sha512.", nameof(algorithm)),
        };
        var result = new byte[Length];
        digest.AsSpan(0, Math.Min(Length, digest.Length)).CopyTo(result);
        return result;
    }

    public static string ToHex(byte[] hostData) => Convert.ToHexStringLower(hostData);
}
