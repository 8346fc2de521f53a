using System.Buffers.Binary;
using System.Security.Cryptography;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;
using static Parma.Attestation.Report.SnpReportLayout;

namespace Parma.Attestation.Guest;

/// <summary>What the development provider puts in the reports it fabricates.</summary>
public sealed record DevelopmentReportSettings
{
    public byte[] HostData { get; init; } = new byte[HostDataLength];
    public byte[] Measurement { get; init; } = new byte[MeasurementLength];
    public uint Vmpl { get; init; }
    /// <summary>SMT allowed and the reserved bit 17 set; debug off.</summary>
    public ulong Policy { get; init; } = 0x30000;
    public uint GuestSvn { get; init; }
}

/// <summary>
/// DEVELOPMENT ONLY — NOT AMD. Builds a version 3 report of the real layout and signs it with the
/// <see cref="DevelopmentAuthority"/>'s VCEK-like key. The default verifier rejects these reports (UntrustedRoot).
/// </summary>
public sealed class DevelopmentReportProvider(DevelopmentAuthority authority, DevelopmentReportSettings? settings = null)
    : IAttestationReportProvider
{
    private readonly DevelopmentReportSettings _settings = settings ?? new DevelopmentReportSettings();

    public string Name => "development (NOT AMD, not trusted by default)";

    public Task<AttestationEvidence> GetReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        if (reportData.Length != ReportDataLength)
        {
            throw new ArgumentException($"report data must be {ReportDataLength} bytes, not {reportData.Length}", nameof(reportData));
        }

        return Task.FromResult(new AttestationEvidence(Build(reportData.Span), authority.CertificateTable()));
    }

    private byte[] Build(ReadOnlySpan<byte> reportData)
    {
        var report = new byte[Size];
        var span = report.AsSpan();
        var tcb = TcbVersion.Encode(authority.Tcb, DevelopmentAuthority.Product).Raw;
        BinaryPrimitives.WriteUInt32LittleEndian(span[SnpReportLayout.Version..], 3);
        BinaryPrimitives.WriteUInt32LittleEndian(span[SnpReportLayout.GuestSvn..], _settings.GuestSvn);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.Policy..], _settings.Policy);
        BinaryPrimitives.WriteUInt32LittleEndian(span[SnpReportLayout.Vmpl..], _settings.Vmpl);
        BinaryPrimitives.WriteUInt32LittleEndian(span[SnpReportLayout.SignatureAlgorithm..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.CurrentTcb..], tcb);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.PlatformInfo..], 0x1);
        reportData.CopyTo(span[SnpReportLayout.ReportData..]);
        Fixed(_settings.Measurement, MeasurementLength, "measurement").CopyTo(span[SnpReportLayout.Measurement..]);
        Fixed(_settings.HostData, HostDataLength, "host data").CopyTo(span[SnpReportLayout.HostData..]);
        RandomNumberGenerator.Fill(span.Slice(SnpReportLayout.ReportId, 32));
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.ReportedTcb..], tcb);
        span[CpuidFamily] = 0x19;
        span[CpuidModel] = 0x01;
        span[CpuidStepping] = 0x01;
        authority.ChipId.CopyTo(span[SnpReportLayout.ChipId..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.CommittedTcb..], tcb);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SnpReportLayout.LaunchTcb..], tcb);
        ReportSignature.Sign(span, authority.VcekKey);
        return report;
    }

    private static byte[] Fixed(byte[] value, int length, string what) => value.Length == length
        ? value
        : throw new ArgumentException($"{what} must be {length} bytes, not {value.Length}");
}
