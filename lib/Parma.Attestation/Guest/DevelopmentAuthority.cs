using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parma.Attestation.Certificates;
using Parma.Attestation.Report;

namespace Parma.Attestation.Guest;

/// <summary>
/// DEVELOPMENT ONLY — NOT AMD. A locally generated ARK → ASK → VCEK-like chain (RSA-PSS SHA-384, P-384 leaf with AMD's
/// TCB and hwID extensions) so that the whole attestation path can run without SEV-SNP hardware. Its ARK is trusted only
/// by a verifier whose <see cref="TrustedRoots"/> were explicitly given <see cref="TrustAsDevelopmentRoot"/>.
/// </summary>
public sealed class DevelopmentAuthority : IDisposable
{
    public const string ArkName = "CN=ARK-Milan PARMA DEVELOPMENT ONLY (not AMD), O=Parma development";
    public const string AskName = "CN=SEV-Milan PARMA DEVELOPMENT ONLY (not AMD), O=Parma development";
    public const string VcekName = "CN=SEV-VCEK PARMA DEVELOPMENT ONLY (not AMD), O=Parma development";

    private DevelopmentAuthority(X509Certificate2 ark, X509Certificate2 ask, X509Certificate2 vcek, ECDsa vcekKey, byte[] chipId, TcbComponents tcb)
    {
        Ark = ark;
        Ask = ask;
        Vcek = vcek;
        VcekKey = vcekKey;
        ChipId = chipId;
        Tcb = tcb;
    }

    public X509Certificate2 Ark { get; }
    public X509Certificate2 Ask { get; }
    public X509Certificate2 Vcek { get; }
    internal ECDsa VcekKey { get; }
    public byte[] ChipId { get; }
    public TcbComponents Tcb { get; }

    /// <summary>The development chain poses as Milan (CPUID family 19h model 01h).</summary>
    public static SnpProduct Product => SnpProduct.Milan;

    public string ArkFingerprint => CertificateFiles.Sha256Fingerprint(Ark);

    public static DevelopmentAuthority Create(TcbComponents? tcb = null, int rsaKeySize = 2048)
    {
        tcb ??= new TcbComponents(Bootloader: 4, Tee: 0, Snp: 22, Microcode: 213);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddYears(5);

        using var arkKey = RSA.Create(rsaKeySize);
        var arkRequest = new CertificateRequest(ArkName, arkKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        arkRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var arkWithKey = arkRequest.CreateSelfSigned(notBefore, notAfter);
        var ark = X509CertificateLoader.LoadCertificate(arkWithKey.RawData);

        using var askKey = RSA.Create(rsaKeySize);
        var askRequest = new CertificateRequest(AskName, askKey, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        askRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var ask = askRequest.Create(ark.SubjectName, X509SignatureGenerator.CreateForRSA(arkKey, RSASignaturePadding.Pss), notBefore, notAfter, [1]);

        var chipId = RandomNumberGenerator.GetBytes(SnpReportLayout.ChipIdLength);
        var vcekKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var vcekRequest = new CertificateRequest(VcekName, vcekKey, HashAlgorithmName.SHA384);
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.ProductName, Ia5("Milan-B0"), false));
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.BootloaderSpl, Integer(tcb.Bootloader), false));
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.TeeSpl, Integer(tcb.Tee), false));
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.SnpSpl, Integer(tcb.Snp), false));
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.MicrocodeSpl, Integer(tcb.Microcode), false));
        vcekRequest.CertificateExtensions.Add(new X509Extension(AmdOids.HardwareId, chipId, false));
        var vcek = vcekRequest.Create(ask.SubjectName, X509SignatureGenerator.CreateForRSA(askKey, RSASignaturePadding.Pss), notBefore, notAfter, [0]);

        return new DevelopmentAuthority(ark, ask, vcek, vcekKey, chipId, tcb);
    }

    /// <summary>Explicitly trusts this authority's ARK in <paramref name="roots"/> (tests and local development only).</summary>
    public TrustedRoots TrustAsDevelopmentRoot(TrustedRoots roots) =>
        roots.AddRoot(Product, Ark, ArkFingerprint).AddIntermediate(Product, Ask);

    public CertificateTable CertificateTable() => new(new Dictionary<Guid, byte[]>
    {
        [Certificates.CertificateTable.Vcek] = Vcek.RawData,
        [Certificates.CertificateTable.Ask] = Ask.RawData,
        [Certificates.CertificateTable.Ark] = Ark.RawData,
    });

    public void Dispose() => VcekKey.Dispose();

    private static byte[] Integer(byte value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode();
    }

    private static byte[] Ia5(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.IA5String, value);
        return writer.Encode();
    }
}
