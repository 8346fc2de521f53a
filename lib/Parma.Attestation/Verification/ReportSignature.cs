using System.Security.Cryptography;
using Parma.Attestation.Report;

namespace Parma.Attestation.Verification;

/// <summary>The report's ECDSA P-384/SHA-384 signature: R and S are 72-byte little-endian fields of which the low 48 bytes are used.</summary>
public static class ReportSignature
{
    private const int ComponentBytes = 48;

    /// <summary>The 96-byte big-endian r‖s (IEEE P1363) form, or null when R or S has bits above 384.</summary>
    public static byte[]? ToP1363(SnpReport report)
    {
        var result = new byte[2 * ComponentBytes];
        return Convert(report.SignatureR.Span, result.AsSpan(0, ComponentBytes))
            && Convert(report.SignatureS.Span, result.AsSpan(ComponentBytes))
            ? result
            : null;
    }

    public static bool Verify(SnpReport report, ECDsa key)
    {
        var signature = ToP1363(report);
        return signature is not null && key.VerifyData(
            report.SignedBytes.Span, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Signs the first 0x2A0 bytes of <paramref name="report"/> in place (development provider and tests).</summary>
    public static void Sign(Span<byte> report, ECDsa key)
    {
        var signature = key.SignData(
            report[..SnpReportLayout.SignedLength], HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        report.Slice(SnpReportLayout.SignatureR, 0x200).Clear();
        WriteLittleEndian(signature.AsSpan(0, ComponentBytes), report.Slice(SnpReportLayout.SignatureR, ComponentBytes));
        WriteLittleEndian(signature.AsSpan(ComponentBytes), report.Slice(SnpReportLayout.SignatureS, ComponentBytes));
    }

    private static bool Convert(ReadOnlySpan<byte> littleEndian72, Span<byte> bigEndian48)
    {
        if (littleEndian72[ComponentBytes..].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        for (var i = 0; i < ComponentBytes; i++)
        {
            bigEndian48[i] = littleEndian72[ComponentBytes - 1 - i];
        }

        return true;
    }

    private static void WriteLittleEndian(ReadOnlySpan<byte> bigEndian, Span<byte> destination)
    {
        for (var i = 0; i < bigEndian.Length; i++)
        {
            destination[i] = bigEndian[bigEndian.Length - 1 - i];
        }
    }
}
