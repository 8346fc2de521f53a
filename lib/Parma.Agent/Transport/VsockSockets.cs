using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Parma.Agent.Transport;

/// <summary>
/// AF_VSOCK sockets made with libc: .NET's Socket constructor refuses address families it does not
/// know, and a Socket wrapped around a vsock handle has no endpoint type, so it can neither accept
/// nor count as connected. Sockets are created, bound, connected and accepted here and then
/// wrapped; reads and writes go through the Socket as usual (see <see cref="SocketStream"/>).
/// </summary>
internal static partial class VsockSockets
{
    private const int StreamType = 1;
    private const int CloseOnExec = 0x80000;
    private const int NonBlocking = 0x800;
    private const int WouldBlock = 11;
    private const int Interrupted = 4;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int BindNative(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectNative(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int ListenNative(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int AcceptNative(int fd, IntPtr address, IntPtr length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>Whether this kernel makes AF_VSOCK sockets (a VM with a vsock device, as a Kata UVM has).</summary>
    public static bool Supported()
    {
        var fd = SocketNative((int)VsockEndPoint.VsockFamily, StreamType | CloseOnExec, 0);
        if (fd < 0)
        {
            return false;
        }

        CloseNative(fd);
        return true;
    }

    /// <summary>A listening vsock socket (non-blocking, so that <see cref="TryAccept"/> never waits).</summary>
    public static Socket Listen(VsockEndPoint endPoint, int backlog)
    {
        var fd = Create(StreamType | CloseOnExec | NonBlocking);
        Run(fd, BindNative(fd, endPoint.ToSockaddr(), 16), $"bind {endPoint}");
        Run(fd, ListenNative(fd, backlog), $"listen on {endPoint}");
        return Wrap(fd);
    }

    /// <summary>Connects to a vsock endpoint (blocking; the host side of the agent protocol).</summary>
    public static Socket Connect(VsockEndPoint endPoint)
    {
        var fd = Create(StreamType | CloseOnExec);
        Run(fd, ConnectNative(fd, endPoint.ToSockaddr(), 16), $"connect to {endPoint}");
        return Wrap(fd);
    }

    /// <summary>A connection waiting on the listener, or null when none is.</summary>
    public static Socket? TryAccept(Socket listener)
    {
        var fd = AcceptNative((int)listener.Handle, IntPtr.Zero, IntPtr.Zero, CloseOnExec);
        if (fd >= 0)
        {
            return Wrap(fd);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is WouldBlock or Interrupted ? null : throw Failure(errno, "accept");
    }

    private static int Create(int type)
    {
        var fd = SocketNative((int)VsockEndPoint.VsockFamily, type, 0);
        return fd >= 0 ? fd : throw Failure(Marshal.GetLastPInvokeError(), "socket(AF_VSOCK)");
    }

    private static void Run(int fd, int result, string what)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            CloseNative(fd);
            throw Failure(errno, what);
        }
    }

    /// <summary>A SocketException with the SocketError that .NET itself would give the Linux errno.</summary>
    private static SocketException Failure(int errno, string what)
    {
        var error = errno switch
        {
            13 => SocketError.AccessDenied,
            19 or 113 => SocketError.HostUnreachable,
            22 => SocketError.InvalidArgument,
            97 => SocketError.AddressFamilyNotSupported,
            98 => SocketError.AddressAlreadyInUse,
            99 => SocketError.AddressNotAvailable,
            104 => SocketError.ConnectionReset,
            110 => SocketError.TimedOut,
            111 => SocketError.ConnectionRefused,
            _ => SocketError.SocketError,
        };
        return new SocketException((int)error, $"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    private static Socket Wrap(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));
}
