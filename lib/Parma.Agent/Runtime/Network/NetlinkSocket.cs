using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Parma.Agent.Runtime.Network;

/// <summary>
/// An AF_NETLINK/NETLINK_ROUTE socket made with libc (.NET's Socket does not know netlink). Each
/// request is sent with NLM_F_ACK (or NLM_F_DUMP) and a sequence number, and every reply up to the
/// acknowledgement or NLMSG_DONE is returned; a kernel error becomes a <see cref="NetlinkException"/>
/// carrying its errno. When a network namespace is named, the socket is made inside it (from a
/// short-lived thread that enters the namespace), and every request then acts on that namespace.
/// </summary>
internal sealed partial class NetlinkSocket : IDisposable
{
    private const int NetlinkFamily = 16;
    private const int RawType = 3;
    private const int CloseOnExec = 0x80000;
    private const int RouteProtocol = 0;
    private const int SocketLevel = 1;
    private const int ReceiveTimeoutOption = 20;
    private const int NetworkNamespaceFlag = 0x40000000;
    private const int HeaderSize = 16;
    private const ushort Done = 3;
    private const ushort Error = 2;
    private const ushort RequestFlag = 1;
    private const ushort AckFlag = 4;
    private const ushort DumpFlag = 0x300;

    private readonly Lock _lock = new();
    private readonly int _fd;
    private readonly byte[] _buffer = new byte[1 << 16];
    private uint _sequence;

    private NetlinkSocket(int fd) => _fd = fd;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int BindNative(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetOptionNative(int fd, int level, int name, byte[] value, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint SendNative(int fd, byte[] buffer, nuint length, int flags, byte[] address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint ReceiveNative(int fd, byte[] buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespaceNative(int fd, int type);

    /// <summary>Opens a route socket in this process's network namespace, or in the one at <paramref name="namespacePath"/> (e.g. /run/netns/NAME).</summary>
    public static NetlinkSocket Open(string? namespacePath)
    {
        if (namespacePath is null)
        {
            return new NetlinkSocket(Create());
        }

        int fd = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var ns = OpenNative(namespacePath, CloseOnExec);
                if (ns < 0)
                {
                    throw Failure($"open network namespace {namespacePath}", Marshal.GetLastPInvokeError());
                }

                try
                {
                    if (SetNamespaceNative(ns, NetworkNamespaceFlag) != 0)
                    {
                        throw Failure($"setns {namespacePath}", Marshal.GetLastPInvokeError());
                    }
                }
                finally
                {
                    CloseNative(ns);
                }

                // The thread ends right after, so its changed namespace never runs other work.
                fd = Create();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "parma-netns" };
        thread.Start();
        thread.Join();
        return failure is null ? new NetlinkSocket(fd) : throw failure;
    }

    private static int Create()
    {
        var fd = SocketNative(NetlinkFamily, RawType | CloseOnExec, RouteProtocol);
        if (fd < 0)
        {
            throw Failure("socket(AF_NETLINK)", Marshal.GetLastPInvokeError());
        }

        var address = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(address, NetlinkFamily);
        var timeout = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(timeout, 10);
        if (BindNative(fd, address, address.Length) != 0 || SetOptionNative(fd, SocketLevel, ReceiveTimeoutOption, timeout, timeout.Length) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            CloseNative(fd);
            throw Failure("bind netlink socket", errno);
        }

        return fd;
    }

    /// <summary>Sends a request that changes something and waits for its acknowledgement.</summary>
    public void Execute(ushort type, ushort flags, ReadOnlySpan<byte> payload, string what) => Send(type, (ushort)(flags | AckFlag), payload, what);

    /// <summary>Sends a dump request and returns the payloads of every message of the answer.</summary>
    public List<NetlinkMessage> Dump(ushort type, ReadOnlySpan<byte> payload, string what) => Send(type, DumpFlag, payload, what);

    private List<NetlinkMessage> Send(ushort type, ushort flags, ReadOnlySpan<byte> payload, string what)
    {
        lock (_lock)
        {
            var sequence = ++_sequence;
            var request = new byte[HeaderSize + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), type);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), (ushort)(flags | RequestFlag));
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), sequence);
            payload.CopyTo(request.AsSpan(HeaderSize));
            var kernel = new byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(kernel, NetlinkFamily);
            if (SendNative(_fd, request, (nuint)request.Length, 0, kernel, kernel.Length) < 0)
            {
                throw Failure($"{what}: send", Marshal.GetLastPInvokeError());
            }

            var answer = new List<NetlinkMessage>();
            while (true)
            {
                var received = ReceiveNative(_fd, _buffer, (nuint)_buffer.Length, 0);
                if (received < 0)
                {
                    throw Failure($"{what}: receive", Marshal.GetLastPInvokeError());
                }

                for (var offset = 0; offset + HeaderSize <= received;)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(offset));
                    if (length < HeaderSize || offset + length > received)
                    {
                        throw new NetlinkException(what, 0, $"{what}: the kernel's answer is malformed");
                    }

                    var messageType = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(offset + 4));
                    var messageSequence = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(offset + 8));
                    var body = _buffer.AsSpan(offset + HeaderSize, length - HeaderSize);
                    offset += NetlinkMessage.Align(length);
                    if (messageSequence != sequence)
                    {
                        continue;
                    }

                    switch (messageType)
                    {
                        case Error:
                            var errno = -BinaryPrimitives.ReadInt32LittleEndian(body);
                            return errno == 0 ? answer : throw new NetlinkException(what, errno, $"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                        case Done:
                            return answer;
                        default:
                            answer.Add(new NetlinkMessage(messageType, body.ToArray()));
                            break;
                    }
                }
            }
        }
    }

    private static NetlinkException Failure(string what, int errno) => new(what, errno, $"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    public void Dispose() => CloseNative(_fd);
}

/// <summary>A netlink call that failed; <see cref="Errno"/> is the kernel's error number (0 when the answer itself was wrong).</summary>
internal sealed class NetlinkException(string what, int errno, string message) : IOException(message)
{
    public string What { get; } = what;

    public int Errno { get; } = errno;
}
