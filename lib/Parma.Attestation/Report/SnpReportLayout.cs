namespace Parma.Attestation.Report;

/// <summary>Byte offsets of the ATTESTATION_REPORT structure (AMD SEV-SNP ABI specification, table "ATTESTATION_REPORT").</summary>
public static class SnpReportLayout
{
    public const int Size = 1184;

    public const int Version = 0x000;            // u32
    public const int GuestSvn = 0x004;           // u32
    public const int Policy = 0x008;             // u64
    public const int FamilyId = 0x010;           // 16 bytes
    public const int ImageId = 0x020;            // 16 bytes
    public const int Vmpl = 0x030;               // u32
    public const int SignatureAlgorithm = 0x034; // u32
    public const int CurrentTcb = 0x038;         // u64
    public const int PlatformInfo = 0x040;       // u64
    public const int SignerInfo = 0x048;         // u32 (AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY)
    public const int ReportData = 0x050;         // 64 bytes
    public const int Measurement = 0x090;        // 48 bytes
    public const int HostData = 0x0C0;           // 32 bytes
    public const int IdKeyDigest = 0x0E0;        // 48 bytes
    public const int AuthorKeyDigest = 0x110;    // 48 bytes
    public const int ReportId = 0x140;           // 32 bytes
    public const int ReportIdMa = 0x160;         // 32 bytes
    public const int ReportedTcb = 0x180;        // u64
    public const int CpuidFamily = 0x188;        // u8, version 3 and later
    public const int CpuidModel = 0x189;         // u8, version 3 and later
    public const int CpuidStepping = 0x18A;      // u8, version 3 and later
    public const int ChipId = 0x1A0;             // 64 bytes
    public const int CommittedTcb = 0x1E0;       // u64
    public const int CurrentBuild = 0x1E8;       // u8, then minor 0x1E9, major 0x1EA
    public const int CommittedBuild = 0x1EC;     // u8, then minor 0x1ED, major 0x1EE
    public const int LaunchTcb = 0x1F0;          // u64
    public const int LaunchMitigationVector = 0x1F8;  // u64, version 5 and later
    public const int CurrentMitigationVector = 0x200; // u64, version 5 and later
    public const int SignedLength = 0x2A0;       // the signature covers bytes 0x000–0x29F
    public const int SignatureR = 0x2A0;         // 72 bytes little-endian
    public const int SignatureS = 0x2E8;         // 72 bytes little-endian
    public const int SignatureComponentLength = 72;

    public const int ReportDataLength = 64;
    public const int MeasurementLength = 48;
    public const int HostDataLength = 32;
    public const int ChipIdLength = 64;
}
