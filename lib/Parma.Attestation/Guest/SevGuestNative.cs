using System.Runtime.InteropServices;

namespace Parma.Attestation.Guest;

/// <summary>
/// Layouts and request numbers of the Linux uapi header linux/sev-guest.h (facts: field order and sizes), used by
/// <see cref="SevGuestDeviceProvider"/>.
/// </summary>
internal static unsafe partial class SevGuestNative
{
    public const int UserDataLength = 64;
    public const int ResponseLength = 4000;

    /// <summary>In MSG_REPORT_RSP: status (u32), report_size (u32), 24 reserved bytes, then the report.</summary>
    public const int ReportOffsetInResponse = 0x20;

    /// <summary>exitinfo2's vmm_error when the certificate buffer is too small (certs_len then holds the size needed).</summary>
    public const uint VmmErrorInvalidLength = 1;

    public static readonly nuint GetReport = IoWriteRead((byte)'S', 0x0, (uint)sizeof(GuestRequest));
    public static readonly nuint GetExtendedReport = IoWriteRead((byte)'S', 0x2, (uint)sizeof(GuestRequest));

    /// <summary>Linux _IOWR: direction read|write (3) in bits 30–31, size in 16–29, type in 8–15, number in 0–7.</summary>
    public static nuint IoWriteRead(byte type, byte number, uint size) =>
        (nuint)((3u << 30) | (size << 16) | ((uint)type << 8) | number);

    /// <summary>struct snp_report_req.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ReportRequest
    {
        public fixed byte UserData[UserDataLength];
        public uint Vmpl;
        public fixed byte Reserved[28];
    }

    /// <summary>struct snp_ext_report_req.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ExtendedReportRequest
    {
        public ReportRequest Data;
        public ulong CertificatesAddress;
        public uint CertificatesLength;
    }

    /// <summary>struct snp_report_resp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ReportResponse
    {
        public fixed byte Data[ResponseLength];
    }

    /// <summary>struct snp_guest_request_ioctl; exitinfo2 holds fw_error (low 32 bits) and vmm_error (high 32 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GuestRequest
    {
        public byte MessageVersion;
        public ulong RequestData;
        public ulong ResponseData;
        public ulong ExitInfo2;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);
}
