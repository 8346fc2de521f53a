using System.Runtime.InteropServices;

namespace Parma.Agent.Runtime;

/// <summary>POSIX kill(2), which .NET exposes only for SIGKILL.</summary>
internal static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RuntimeException(Ttrpc.StatusCode.FailedPrecondition, $"kill({pid}, {signal}) failed with errno {errno}");
        }
    }
}
