using System.Security.Cryptography;

namespace Parma.Claims;

/// <summary>
/// How a runtime claim is bound into REPORT_DATA throughout Parma: SHA-256 of the claim bytes followed by 32 zero bytes.
/// The key-release flow uses the canonical JWK JSON of the guest's public key as the claim.
/// </summary>
public static class ReportDataBinding
{
    public const int Length = 64;

    public static byte[] ForClaim(ReadOnlySpan<byte> claim)
    {
        var reportData = new byte[Length];
        SHA256.HashData(claim, reportData);
        return reportData;
    }

    /// <summary>REPORT_DATA given as hex: up to 64 bytes, zero-padded on the right.</summary>
    public static byte[] FromHex(string hex)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"report data '{hex}' is not hex");
        }

        if (bytes.Length > Length)
        {
            throw new FormatException($"report data is {bytes.Length} bytes; at most {Length} fit");
        }

        var padded = new byte[Length];
        bytes.CopyTo(padded, 0);
        return padded;
    }
}
