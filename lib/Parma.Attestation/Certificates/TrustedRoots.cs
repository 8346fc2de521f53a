using System.Security.Cryptography.X509Certificates;
using Parma.Attestation.Report;

namespace Parma.Attestation.Certificates;

/// <summary>
/// The ARKs a verifier trusts, per product, each pinned by SHA-256 fingerprint, plus the known intermediates (ASK, ASVK)
/// used when evidence carries no chain. Intermediates are never trusted by themselves: they are verified against a pinned ARK.
/// </summary>
public sealed class TrustedRoots
{
    private readonly Dictionary<SnpProduct, List<X509Certificate2>> _arks = [];
    private readonly Dictionary<SnpProduct, List<X509Certificate2>> _intermediates = [];

    /// <summary>AMD's Milan, Genoa and Turin ARKs (pinned by <see cref="AmdRootPins"/>) with their ASKs and ASVKs.</summary>
    public static TrustedRoots AmdBuiltIn()
    {
        var roots = new TrustedRoots();
        roots.AddBundle(SnpProduct.Milan, "milan_ask_ark_asvk.pem", AmdRootPins.ArkMilan);
        roots.AddBundle(SnpProduct.Genoa, "genoa_ask_ark_asvk.pem", AmdRootPins.ArkGenoa);
        roots.AddBundle(SnpProduct.Turin, "turin_ask_ark_asvk.pem", AmdRootPins.ArkTurin);
        return roots;
    }

    /// <summary>Trusts <paramref name="ark"/> for <paramref name="product"/> if its fingerprint equals <paramref name="sha256Fingerprint"/>.</summary>
    public TrustedRoots AddRoot(SnpProduct product, X509Certificate2 ark, string sha256Fingerprint)
    {
        var actual = CertificateFiles.Sha256Fingerprint(ark);
        if (!string.Equals(actual, sha256Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"ARK '{ark.Subject}' has fingerprint {actual}, not the pinned {sha256Fingerprint}");
        }

        if (!CertificateFiles.IsSelfIssued(ark) || CertificateSignature.Verify(ark, ark) is { } error)
        {
            throw new ArgumentException($"ARK '{ark.Subject}' is not a valid self-signed RSA-PSS root");
        }

        List(_arks, product).Add(ark);
        return this;
    }

    /// <summary>Adds an ASK/ASVK offered when evidence has no chain (still verified against the pinned ARK).</summary>
    public TrustedRoots AddIntermediate(SnpProduct product, X509Certificate2 intermediate)
    {
        List(_intermediates, product).Add(intermediate);
        return this;
    }

    public IReadOnlyList<X509Certificate2> ArksFor(SnpProduct product) =>
        _arks.TryGetValue(product, out var list) ? list : [];

    public IReadOnlyList<X509Certificate2> IntermediatesFor(SnpProduct product) =>
        _intermediates.TryGetValue(product, out var list) ? list : [];

    public bool IsPinned(X509Certificate2 certificate) =>
        _arks.Values.SelectMany(list => list).Any(ark => ark.RawData.AsSpan().SequenceEqual(certificate.RawData));

    private void AddBundle(SnpProduct product, string resource, string pin)
    {
        using var stream = typeof(TrustedRoots).Assembly.GetManifestResourceStream($"Parma.Attestation.Roots.{resource}")
            ?? throw new InvalidOperationException($"embedded root bundle {resource} is missing from the assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        foreach (var certificate in CertificateFiles.LoadAll(memory.ToArray(), resource))
        {
            if (CertificateFiles.IsSelfIssued(certificate))
            {
                AddRoot(product, certificate, pin);
            }
            else
            {
                AddIntermediate(product, certificate);
            }
        }
    }

    private static List<X509Certificate2> List(Dictionary<SnpProduct, List<X509Certificate2>> map, SnpProduct product)
    {
        if (!map.TryGetValue(product, out var list))
        {
            list = [];
            map[product] = list;
        }

        return list;
    }
}
