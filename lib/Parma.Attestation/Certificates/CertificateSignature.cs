using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parma.Attestation.Certificates;

/// <summary>
/// Checks an AMD certificate's RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48) signature explicitly: the TBS bytes and the
/// signature are taken from the DER, and the issuer key from its SubjectPublicKeyInfo.
/// </summary>
public static class CertificateSignature
{
    /// <summary>Null when <paramref name="certificate"/> is signed by <paramref name="issuer"/>'s key, else why not.</summary>
    public static string? Verify(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        byte[] tbs;
        byte[] signature;
        try
        {
            var outer = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
            tbs = outer.ReadEncodedValue().ToArray();
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            if (oid != AmdOids.RsaPss)
            {
                return $"signature algorithm {oid} is not RSASSA-PSS";
            }

            if (CheckPssParameters(algorithm) is { } parameterError)
            {
                return parameterError;
            }

            signature = outer.ReadBitString(out _);
        }
        catch (AsnContentException e)
        {
            return $"certificate DER is malformed: {e.Message}";
        }

        using var key = ReadRsaPublicKey(issuer);
        if (key is null)
        {
            return $"issuer '{issuer.Subject}' has no RSA public key";
        }

        return key.VerifyData(tbs, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss)
            ? null
            : $"RSA-PSS signature does not verify with the key of '{issuer.Subject}'";
    }

    private static string? CheckPssParameters(AsnReader algorithm)
    {
        if (!algorithm.HasData)
        {
            return "RSASSA-PSS parameters are missing (SHA-1 defaults are not accepted)";
        }

        var parameters = algorithm.ReadSequence();
        var hash = "1.3.14.3.2.26";
        var salt = 20;
        while (parameters.HasData)
        {
            var tag = parameters.PeekTag();
            var field = parameters.ReadSequence(tag);
            switch (tag.TagValue)
            {
                case 0:
                    hash = field.ReadSequence().ReadObjectIdentifier();
                    break;
                case 2:
                    salt = (int)field.ReadInteger();
                    break;
            }
        }

        if (hash != AmdOids.Sha384)
        {
            return $"RSASSA-PSS hash {hash} is not SHA-384";
        }

        return salt == 48 ? null : $"RSASSA-PSS salt length {salt} is not 48";
    }

    /// <summary>Imports the RSA key from the SPKI, whether its algorithm is rsaEncryption or id-RSASSA-PSS.</summary>
    internal static RSA? ReadRsaPublicKey(X509Certificate2 certificate)
    {
        try
        {
            var spki = certificate.PublicKey;
            var oid = spki.Oid.Value;
            if (oid != "1.2.840.113549.1.1.1" && oid != AmdOids.RsaPss)
            {
                return null;
            }

            var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(spki.EncodedKeyValue.RawData, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    internal static BigInteger SerialNumber(X509Certificate2 certificate) =>
        new(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
}
