using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Parma.Attestation.Report;

namespace Parma.Attestation.Certificates;

/// <summary>The AMD-specific facts carried by a VCEK or VLEK certificate.</summary>
public sealed record AmdKeyCertificate(
    string? ProductName,
    TcbComponents? Tcb,
    byte[]? HardwareId,
    string? CspId)
{
    /// <summary>Reads the AMD extensions; throws <see cref="FormatException"/> when one is present but malformed.</summary>
    public static AmdKeyCertificate Read(X509Certificate2 certificate, SnpProduct productForLayout)
    {
        string? productName = null;
        string? cspId = null;
        byte[]? hwid = null;
        byte? bl = null, tee = null, snp = null, ucode = null, fmc = null;
        foreach (var extension in certificate.Extensions)
        {
            var raw = extension.RawData;
            switch (extension.Oid?.Value)
            {
                case AmdOids.ProductName: productName = ReadString(raw); break;
                case AmdOids.CspId: cspId = ReadString(raw); break;
                case AmdOids.HardwareId: hwid = ReadOctets(raw); break;
                case AmdOids.BootloaderSpl: bl = ReadSpl(raw, "blSPL"); break;
                case AmdOids.TeeSpl: tee = ReadSpl(raw, "teeSPL"); break;
                case AmdOids.SnpSpl: snp = ReadSpl(raw, "snpSPL"); break;
                case AmdOids.MicrocodeSpl: ucode = ReadSpl(raw, "ucodeSPL"); break;
                case AmdOids.FmcSpl: fmc = ReadSpl(raw, "fmcSPL"); break;
            }
        }

        TcbComponents? tcb = bl is null || tee is null || snp is null || ucode is null
            ? null
            : new TcbComponents(bl.Value, tee.Value, snp.Value, ucode.Value, productForLayout == SnpProduct.Turin ? fmc ?? 0 : fmc);
        return new AmdKeyCertificate(productName, tcb, hwid, cspId);
    }

    private static byte ReadSpl(byte[] raw, string name)
    {
        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            var value = reader.ReadInteger();
            if (value < BigInteger.Zero || value > 255)
            {
                throw new FormatException($"{name} extension value {value} is outside 0..255");
            }

            return (byte)value;
        }
        catch (AsnContentException e)
        {
            throw new FormatException($"{name} extension is not a DER INTEGER: {e.Message}", e);
        }
    }

    private static string ReadString(byte[] raw)
    {
        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            var tag = reader.PeekTag();
            return tag.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString)
                ? System.Text.Encoding.ASCII.GetString(reader.ReadOctetString())
                : reader.ReadCharacterString(tag.TagValue == (int)UniversalTagNumber.UTF8String
                    ? UniversalTagNumber.UTF8String
                    : UniversalTagNumber.IA5String);
        }
        catch (AsnContentException)
        {
            return System.Text.Encoding.ASCII.GetString(raw);
        }
    }

    /// <summary>hwID is the raw 64 bytes on Milan/Genoa and a DER OCTET STRING of 8 bytes on Turin.</summary>
    private static byte[] ReadOctets(byte[] raw)
    {
        if (raw.Length == 64)
        {
            return raw;
        }

        try
        {
            var reader = new AsnReader(raw, AsnEncodingRules.DER);
            var value = reader.ReadOctetString();
            return reader.HasData ? raw : value;
        }
        catch (AsnContentException)
        {
            return raw;
        }
    }
}
