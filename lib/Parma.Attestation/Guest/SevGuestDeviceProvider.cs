using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Parma.Attestation.Certificates;
using Parma.Attestation.Report;
using static Parma.Attestation.Guest.SevGuestNative;

namespace Parma.Attestation.Guest;

/// <summary>
/// Reports through /dev/sev-guest: SNP_GET_EXT_REPORT (report + host-provided certificate table), falling back to
/// SNP_GET_REPORT when the host offers no certificates. Works only inside an SEV-SNP guest.
/// </summary>
public sealed unsafe class SevGuestDeviceProvider(string devicePath = "/dev/sev-guest", uint vmpl = 0) : IAttestationReportProvider
{
    private const int PageSize = 4096;

    public string Name => "sev-guest";

    public bool IsAvailable => File.Exists(devicePath);

    public Task<AttestationEvidence> GetReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        if (reportData.Length != UserDataLength)
        {
            throw new ArgumentException($"report data must be {UserDataLength} bytes, not {reportData.Length}", nameof(reportData));
        }

        if (!IsAvailable)
        {
            throw new AttestationUnavailableException($"{devicePath} does not exist (not an SEV-SNP guest, or the sev-guest driver is not loaded)");
        }

        using var handle = File.OpenHandle(devicePath, FileMode.Open, FileAccess.ReadWrite);
        var fd = (int)handle.DangerousGetHandle();
        var request = default(ExtendedReportRequest);
        request.Data.Vmpl = vmpl;
        reportData.Span.CopyTo(new Span<byte>(request.Data.UserData, UserDataLength));

        var certificates = new byte[4 * PageSize];
        while (true)
        {
            var response = default(ReportResponse);
            request.CertificatesLength = (uint)certificates.Length;
            fixed (byte* certs = certificates)
            {
                request.CertificatesAddress = (ulong)certs;
                var guest = new GuestRequest { MessageVersion = 1, RequestData = (ulong)&request, ResponseData = (ulong)&response };
                if (Ioctl(fd, GetExtendedReport, &guest) == 0)
                {
                    var report = ParseResponse(new ReadOnlySpan<byte>(response.Data, ResponseLength));
                    var table = certificates.AsSpan().ContainsAnyExcept((byte)0)
                        ? CertificateTable.Parse(certificates)
                        : new CertificateTable(new Dictionary<Guid, byte[]>());
                    return Task.FromResult(new AttestationEvidence(report, table));
                }

                var errno = Marshal.GetLastPInvokeError();
                var vmmError = (uint)(guest.ExitInfo2 >> 32);
                if (vmmError == VmmErrorInvalidLength && request.CertificatesLength > certificates.Length)
                {
                    certificates = new byte[(request.CertificatesLength + PageSize - 1) / PageSize * PageSize];
                    continue;
                }

                // Hosts that attach no certificates may reject the extended request; the plain one still works.
                return Task.FromResult(new AttestationEvidence(GetPlainReport(fd, request.Data, errno, guest.ExitInfo2), new CertificateTable(new Dictionary<Guid, byte[]>())));
            }
        }
    }

    private static byte[] GetPlainReport(int fd, ReportRequest request, int extendedErrno, ulong extendedExitInfo)
    {
        var response = default(ReportResponse);
        var guest = new GuestRequest { MessageVersion = 1, RequestData = (ulong)&request, ResponseData = (ulong)&response };
        if (Ioctl(fd, GetReport, &guest) != 0)
        {
            throw new AttestationUnavailableException(
                $"SNP_GET_REPORT failed: errno {Marshal.GetLastPInvokeError()}, fw_error 0x{(uint)guest.ExitInfo2:x}, vmm_error 0x{(uint)(guest.ExitInfo2 >> 32):x} " +
                $"(SNP_GET_EXT_REPORT: errno {extendedErrno}, exitinfo2 0x{extendedExitInfo:x})");
        }

        return ParseResponse(new ReadOnlySpan<byte>(response.Data, ResponseLength));
    }

    /// <summary>Extracts the report from MSG_REPORT_RSP, checking its status and size.</summary>
    internal static byte[] ParseResponse(ReadOnlySpan<byte> response)
    {
        var status = BinaryPrimitives.ReadUInt32LittleEndian(response);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(response[4..]);
        if (status != 0)
        {
            throw new AttestationUnavailableException($"the PSP answered the report request with status 0x{status:x}");
        }

        if (size != SnpReportLayout.Size)
        {
            throw new AttestationUnavailableException($"the PSP's report is {size} bytes, not {SnpReportLayout.Size}");
        }

        return response.Slice(ReportOffsetInResponse, SnpReportLayout.Size).ToArray();
    }
}
