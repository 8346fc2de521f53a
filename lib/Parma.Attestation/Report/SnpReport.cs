using System.Buffers.Binary;
using static Parma.Attestation.Report.SnpReportLayout;

namespace Parma.Attestation.Report;

/// <summary>A parsed SEV-SNP ATTESTATION_REPORT (versions 2, 3 and 5). Every field is a view over a private copy of the bytes.</summary>
public sealed class SnpReport
{
    public static readonly IReadOnlySet<uint> SupportedVersions = new HashSet<uint> { 2, 3, 5 };

    private readonly byte[] _bytes;

    private SnpReport(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>Parses a report; throws <see cref="SnpReportFormatException"/> naming what is wrong.</summary>
    public static SnpReport Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new SnpReportFormatException($"an SEV-SNP attestation report is {Size} bytes, but {bytes.Length} bytes were given");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[SnpReportLayout.Version..]);
        if (!SupportedVersions.Contains(version))
        {
            throw new SnpReportFormatException($"report version {version} is not supported (supported: 2, 3, 5)");
        }

        return new SnpReport(bytes.ToArray());
    }

    public static bool TryParse(ReadOnlySpan<byte> bytes, out SnpReport? report, out string? error)
    {
        try
        {
            report = Parse(bytes);
            error = null;
            return true;
        }
        catch (SnpReportFormatException e)
        {
            report = null;
            error = e.Message;
            return false;
        }
    }

    public ReadOnlyMemory<byte> Raw => _bytes;
    public ReadOnlyMemory<byte> SignedBytes => _bytes.AsMemory(0, SignedLength);

    public uint Version => U32(SnpReportLayout.Version);
    public uint GuestSvn => U32(SnpReportLayout.GuestSvn);
    public GuestPolicy Policy => new(U64(SnpReportLayout.Policy));
    public ReadOnlyMemory<byte> FamilyId => Slice(SnpReportLayout.FamilyId, 16);
    public ReadOnlyMemory<byte> ImageId => Slice(SnpReportLayout.ImageId, 16);
    public uint Vmpl => U32(SnpReportLayout.Vmpl);
    public uint SignatureAlgorithm => U32(SnpReportLayout.SignatureAlgorithm);
    public TcbVersion CurrentTcb => new(U64(SnpReportLayout.CurrentTcb));
    public PlatformInfo PlatformInfo => new(U64(SnpReportLayout.PlatformInfo));
    public SignerInfo SignerInfo => new(U32(SnpReportLayout.SignerInfo));
    public ReadOnlyMemory<byte> ReportData => Slice(SnpReportLayout.ReportData, ReportDataLength);
    public ReadOnlyMemory<byte> Measurement => Slice(SnpReportLayout.Measurement, MeasurementLength);
    public ReadOnlyMemory<byte> HostData => Slice(SnpReportLayout.HostData, HostDataLength);
    public ReadOnlyMemory<byte> IdKeyDigest => Slice(SnpReportLayout.IdKeyDigest, 48);
    public ReadOnlyMemory<byte> AuthorKeyDigest => Slice(SnpReportLayout.AuthorKeyDigest, 48);
    public ReadOnlyMemory<byte> ReportId => Slice(SnpReportLayout.ReportId, 32);
    public ReadOnlyMemory<byte> ReportIdMa => Slice(SnpReportLayout.ReportIdMa, 32);
    public TcbVersion ReportedTcb => new(U64(SnpReportLayout.ReportedTcb));
    public ReadOnlyMemory<byte> ChipId => Slice(SnpReportLayout.ChipId, ChipIdLength);
    public TcbVersion CommittedTcb => new(U64(SnpReportLayout.CommittedTcb));
    public FirmwareVersion CurrentVersion => Firmware(CurrentBuild);
    public FirmwareVersion CommittedVersion => Firmware(CommittedBuild);
    public TcbVersion LaunchTcb => new(U64(SnpReportLayout.LaunchTcb));

    /// <summary>CPUID family (extended + base), present from version 3.</summary>
    public byte? CpuidFamily => Version >= 3 ? _bytes[SnpReportLayout.CpuidFamily] : null;
    public byte? CpuidModel => Version >= 3 ? _bytes[SnpReportLayout.CpuidModel] : null;
    public byte? CpuidStepping => Version >= 3 ? _bytes[SnpReportLayout.CpuidStepping] : null;

    /// <summary>Present from version 5.</summary>
    public ulong? LaunchMitigationVector => Version >= 5 ? U64(SnpReportLayout.LaunchMitigationVector) : null;
    public ulong? CurrentMitigationVector => Version >= 5 ? U64(SnpReportLayout.CurrentMitigationVector) : null;

    public ReadOnlyMemory<byte> SignatureR => Slice(SnpReportLayout.SignatureR, SignatureComponentLength);
    public ReadOnlyMemory<byte> SignatureS => Slice(SnpReportLayout.SignatureS, SignatureComponentLength);

    /// <summary>True when CHIP_ID is all zero (the platform was configured with MASK_CHIP_ID, or the key is a VLEK).</summary>
    public bool ChipIdMasked => !ChipId.Span.ContainsAnyExcept((byte)0);

    /// <summary>Product from CPUID (version 3+), else Unknown.</summary>
    public SnpProduct ProductFromCpuid => CpuidFamily is { } family && CpuidModel is { } model
        ? SnpProducts.FromCpuid(family, model)
        : SnpProduct.Unknown;

    private uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(offset));
    private ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(offset));
    private ReadOnlyMemory<byte> Slice(int offset, int length) => _bytes.AsMemory(offset, length);
    private FirmwareVersion Firmware(int buildOffset) => new(_bytes[buildOffset + 2], _bytes[buildOffset + 1], _bytes[buildOffset]);
}
