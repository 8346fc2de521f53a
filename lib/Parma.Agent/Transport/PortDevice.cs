using System.Runtime.InteropServices;

namespace Parma.Agent.Transport;

/// <summary>
/// A character device opened non-blocking, read and written with poll(2) in between, so that a waiting
/// read or write can be ended from another thread (closing a file descriptor does not wake a read
/// blocked on it). Used for virtio-serial ports.
/// </summary>
internal sealed partial class PortDevice : IDisposable
{
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollHangUp = 0x10;

    private const int ReadWrite = 0x2;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int TryAgain = 11;
    private const int Interrupted = 4;

    private readonly int _fd;
    private int _closed;

    private PortDevice(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteNative(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollNative(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    public static PortDevice Open(string path)
    {
        var fd = OpenNative(path, ReadWrite | NonBlocking | CloseOnExec);
        return fd >= 0 ? new PortDevice(path, fd) : throw Failure("open", path, Marshal.GetLastPInvokeError());
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="events"/>; returns the events that occurred (0 on timeout).</summary>
    public unsafe short Poll(short events, TimeSpan timeout)
    {
        var poll = new PollFd { Fd = _fd, Events = events };
        var result = PollNative(&poll, 1, (int)timeout.TotalMilliseconds);
        if (result >= 0)
        {
            return result == 0 ? (short)0 : poll.ReturnedEvents;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Interrupted ? (short)0 : throw Failure("poll", Path, errno);
    }

    /// <summary>Bytes read, 0 at end of file, or -1 when nothing is there yet.</summary>
    public unsafe int TryRead(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            var read = ReadNative(_fd, pointer, buffer.Length);
            if (read >= 0)
            {
                return (int)read;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is TryAgain or Interrupted ? -1 : throw Failure("read", Path, errno);
    }

    /// <summary>Bytes written, or -1 when the device cannot take any now.</summary>
    public unsafe int TryWrite(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            var written = WriteNative(_fd, pointer, buffer.Length);
            if (written >= 0)
            {
                return (int)written;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is TryAgain or Interrupted ? -1 : throw Failure("write", Path, errno);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            CloseNative(_fd);
        }
    }

    private static IOException Failure(string call, string path, int errno) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
