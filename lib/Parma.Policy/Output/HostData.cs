using System.Text;
using Parma.Claims;

namespace Parma.Policy.Output;

/// <summary>
/// host_data: the 32 bytes fixed in the SNP report's HOST_DATA at launch. For the agent-policy
/// annotation it is SHA-256 of the exact policy text bytes; for initdata it is the digest named in
/// the TOML over the exact TOML bytes, truncated or zero-padded to 32 bytes. The digest rules live
/// in Parma.Claims, which Parma.Attestation verifies reports with (the generator does not link attestation code).
/// </summary>
public static class HostData
{
    public const int Length = HostDataCalculator.Length;

    public static readonly IReadOnlySet<string> InitDataAlgorithms = new HashSet<string>(StringComparer.Ordinal) { "sha256", "sha384", "sha512" };

    public static byte[] OfPolicy(string policyText) => HostDataCalculator.ForPolicyText(Encoding.UTF8.GetBytes(policyText));

    /// <summary>For policy text as the annotation carries it (the exact decoded bytes, whatever their encoding).</summary>
    public static byte[] OfPolicyBytes(byte[] policy) => HostDataCalculator.ForPolicyText(policy);

    public static byte[] OfInitData(byte[] tomlBytes, string algorithm) => HostDataCalculator.ForInitData(tomlBytes, algorithm);

    public static string ToHex(byte[] hostData) => Convert.ToHexStringLower(hostData);
}
