using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parma.Attestation.Certificates;

/// <summary>Loads certificates from PEM or DER bytes, with errors that name the source.</summary>
public static class CertificateFiles
{
    public static IReadOnlyList<X509Certificate2> LoadAll(byte[] bytes, string source)
    {
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(text);
                return [.. collection];
            }

            return [X509CertificateLoader.LoadCertificate(bytes)];
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{source} does not hold PEM or DER certificates: {e.Message}", e);
        }
    }

    public static IReadOnlyList<X509Certificate2> LoadAll(string path) => LoadAll(File.ReadAllBytes(path), path);

    public static X509Certificate2 LoadOne(string path)
    {
        var all = LoadAll(path);
        return all.Count == 1 ? all[0] : throw new FormatException($"{path} holds {all.Count} certificates; expected exactly one");
    }

    public static string Sha256Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
