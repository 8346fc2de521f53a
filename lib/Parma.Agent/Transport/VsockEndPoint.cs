using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>
/// An AF_VSOCK address (struct sockaddr_vm: family, reserved, port, cid, flags, padding; 16 bytes,
/// host byte order). .NET has no vsock endpoint, so the address is built by hand.
/// </summary>
public sealed class VsockEndPoint(uint cid, uint port) : EndPoint
{
    public const AddressFamily VsockFamily = (AddressFamily)40;

    /// <summary>VMADDR_CID_ANY: listen on every context id of this VM.</summary>
    public const uint AnyCid = uint.MaxValue;

    /// <summary>The port Kata's agent listens on.</summary>
    public const uint AgentPort = 1024;

    private const int SockAddrLength = 16;

    public uint Cid { get; } = cid;

    public uint Port { get; } = port;

    public override AddressFamily AddressFamily => VsockFamily;

    public override SocketAddress Serialize()
    {
        // .NET's SocketAddress constructor refuses families it does not know; the family is in the bytes anyway.
        var bytes = ToSockaddr();
        var address = new SocketAddress(AddressFamily.Unix, SockAddrLength);
        for (var i = 0; i < SockAddrLength; i++)
        {
            address[i] = bytes[i];
        }

        return address;
    }

    /// <summary>The struct sockaddr_vm bytes, as bind(2) and connect(2) take them.</summary>
    internal byte[] ToSockaddr()
    {
        var buffer = new byte[SockAddrLength];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)VsockFamily);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), Port);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), Cid);
        return buffer;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        Span<byte> buffer = stackalloc byte[SockAddrLength];
        for (var i = 0; i < Math.Min(SockAddrLength, socketAddress.Size); i++)
        {
            buffer[i] = socketAddress[i];
        }

        return new VsockEndPoint(BinaryPrimitives.ReadUInt32LittleEndian(buffer[8..]), BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]));
    }

    public override string ToString() => $"vsock:{(Cid == AnyCid ? "any" : Cid.ToString(System.Globalization.CultureInfo.InvariantCulture))}:{Port}";
}
