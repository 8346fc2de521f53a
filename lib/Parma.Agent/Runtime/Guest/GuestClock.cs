using System.Runtime.InteropServices;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>SetGuestDateTime: settimeofday(2) with the host's seconds and microseconds (needs CAP_SYS_TIME), as kata-agent does.</summary>
internal static partial class GuestClock
{
    [LibraryImport("libc", EntryPoint = "settimeofday", SetLastError = true)]
    private static partial int SetTimeOfDay(long[] timeval, IntPtr timezone);

    public static void Set(SetGuestDateTimeRequest request)
    {
        if (request.Sec <= 0 || request.Usec is < 0 or > 999_999)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{request.Sec} s and {request.Usec} µs is not a time after the epoch");
        }

        if (SetTimeOfDay([request.Sec, request.Usec], IntPtr.Zero) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RuntimeException(errno == 1 ? StatusCode.FailedPrecondition : StatusCode.Internal, $"settimeofday: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }
}
