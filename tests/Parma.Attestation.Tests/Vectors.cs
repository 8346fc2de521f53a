using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Parma.Attestation.Certificates;
using Parma.Attestation.Verification;
using Parma.Testing;

namespace Parma.Attestation.Tests;

/// <summary>The real reports in ../shared/snp-vectors and what expected.json says about them.</summary>
public sealed record Vector(string Id, string ReportPath, string LeafPath, string ChainPath, string Product, string Signer, JsonElement Expected)
{
    public static readonly string Folder = RepoPaths.InShared("snp-vectors");

    public byte[] Report => File.ReadAllBytes(ReportPath);

    public X509Certificate2 Leaf => X509CertificateLoader.LoadCertificateFromFile(LeafPath);

    public IReadOnlyList<X509Certificate2> Chain => CertificateFiles.LoadAll(ChainPath);

    public SnpEvidence Evidence(byte[]? report = null) => new(report ?? Report, Leaf, Chain);

    public string Text(string name) => Expected.GetProperty(name).GetString()!;

    /// <summary>A clock inside every certificate's validity (the VLEK was valid 2024-12-10 to 2025-12-10).</summary>
    public static readonly TimeProvider ValidClock = new FixedTime(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public static IReadOnlyList<Vector> All()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("id").GetString()!,
            Path.Combine(Folder, v.GetProperty("report").GetString()!),
            Path.Combine(Folder, v.GetProperty("leaf").GetString()!),
            Path.Combine(Folder, v.GetProperty("chain").GetString()!),
            v.GetProperty("product").GetString()!,
            v.GetProperty("signer").GetString()!,
            v.GetProperty("expected").Clone())).ToList();
    }

    public static Vector Get(string id) => All().Single(v => v.Id == id);

    public static IEnumerable<object[]> Ids() => All().Select(v => new object[] { v.Id });
}

public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
