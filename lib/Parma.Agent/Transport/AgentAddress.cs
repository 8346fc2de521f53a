using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>
/// Parses the agent addresses the hosts and the CLI accept: a socket path, unix:PATH, vsock:[CID:]PORT,
/// or (guest side only) serial:NAME|serial:/dev/vportNpM for a virtio-serial port.
/// </summary>
public static class AgentAddress
{
    private const string SerialPrefix = "serial:";

    public static IAgentListener Listener(string address)
    {
        if (TryVsock(address, out var cid, out var port))
        {
            return new VsockAgentListener(port, cid);
        }

        if (address.StartsWith(SerialPrefix, StringComparison.Ordinal))
        {
            var name = address[SerialPrefix.Length..];
            return name.Length > 0 ? new VirtioSerialAgentListener(name) : throw new ArgumentException("serial: needs a port name or device path, e.g. serial:agent.channel.0");
        }

        return new UnixSocketAgentListener(UnixPath(address));
    }

    /// <summary>Where a host connects. A serial port is reached through the socket the hypervisor exposes it on (unix:PATH).</summary>
    public static EndPoint EndPoint(string address)
    {
        if (address.StartsWith(SerialPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{address}' is where the agent listens inside the VM; connect to the Unix socket the hypervisor exposes the port on (unix:PATH)");
        }

        return TryVsock(address, out var cid, out var port) ? new VsockEndPoint(cid, port) : new UnixDomainSocketEndPoint(UnixPath(address));
    }

    private static string UnixPath(string address)
    {
        var path = address.StartsWith("unix:", StringComparison.Ordinal) ? address["unix:".Length..] : address;
        return path.Length == 0 ? throw new ArgumentException("the agent address is empty; give a socket path, unix:PATH, vsock:[CID:]PORT or serial:NAME") : path;
    }

    private static bool TryVsock(string address, out uint cid, out uint port)
    {
        cid = VsockEndPoint.AnyCid;
        port = VsockEndPoint.AgentPort;
        if (!address.StartsWith("vsock:", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = address["vsock:".Length..].Split(':');
        bool Parse(string s, out uint v) => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        var ok = parts.Length switch
        {
            1 => Parse(parts[0], out port),
            2 => (parts[0] is "any" or "-1" || Parse(parts[0], out cid)) && Parse(parts[1], out port),
            _ => false,
        };
        return ok ? true : throw new ArgumentException($"'{address}' is not vsock:PORT or vsock:CID:PORT");
    }
}
