using System.Security.Cryptography.X509Certificates;
using Parma.Attestation.Certificates;

namespace Parma.Attestation.Verification;

/// <summary>
/// What a guest presents: the report, the certificate of the key that signed it (VCEK or VLEK) and optionally the
/// intermediate and root certificates. Roots in evidence are never trusted; they only have to match the pinned ARK.
/// </summary>
public sealed record SnpEvidence(
    ReadOnlyMemory<byte> Report,
    X509Certificate2? SigningCertificate = null,
    IReadOnlyList<X509Certificate2>? Chain = null)
{
    /// <summary>Evidence from a report and a certificate table (auxblob / extended report).</summary>
    public static SnpEvidence FromCertificateTable(ReadOnlyMemory<byte> report, CertificateTable table)
    {
        var leafDer = table.Get(CertificateTable.Vcek) ?? table.Get(CertificateTable.Vlek);
        var chain = new List<X509Certificate2>();
        foreach (var guid in new[] { CertificateTable.Ask, CertificateTable.Ark })
        {
            if (table.Get(guid) is { Length: > 0 } der)
            {
                chain.Add(X509CertificateLoader.LoadCertificate(der));
            }
        }

        return new SnpEvidence(report, leafDer is { Length: > 0 } ? X509CertificateLoader.LoadCertificate(leafDer) : null, chain);
    }
}
