using System.Runtime.InteropServices;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// ReseedRandomDev: the host's bytes are written to the kernel's random device, which mixes them into
/// the input pool without crediting any entropy (unlike kata-agent, which also credits them with
/// RNDADDTOENTCNT: data from the hostile host must never count as randomness), and the CRNG is then
/// reseeded (RNDRESEEDCRNG, CAP_SYS_ADMIN) so the mixed bytes take effect. Mixing known bytes into the
/// pool cannot lower its entropy.
/// </summary>
internal static partial class EntropyPool
{
    public const int MaxBytes = 1 << 16;
    private const nuint ReseedCrng = 0x5207;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, nint argument);

    public static void Mix(string device, ReadOnlySpan<byte> data)
    {
        if (data.Length is 0 or > MaxBytes)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"reseeding needs 1 to {MaxBytes} bytes of data, not {data.Length}");
        }

        try
        {
            using var stream = new FileStream(device, FileMode.Open, FileAccess.Write);
            stream.Write(data);
            stream.Flush();
            if (Ioctl((int)stream.SafeFileHandle.DangerousGetHandle(), ReseedCrng, 0) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new RuntimeException(StatusCode.FailedPrecondition, $"{device}: reseeding the CRNG failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); is it the kernel's random device?");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException(StatusCode.Internal, $"{device}: {e.Message}");
        }
    }
}
