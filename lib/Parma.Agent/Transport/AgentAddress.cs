using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>Parses the agent addresses the hosts and the CLI accept: a socket path, unix:PATH or vsock:[CID:]PORT.</summary>
public static class AgentAddress
{
    public static IAgentListener Listener(string address)
    {
        if (TryVsock(address, out var cid, out var port))
        {
            return new VsockAgentListener(port, cid);
        }

        return new UnixSocketAgentListener(UnixPath(address));
    }

    public static EndPoint EndPoint(string address) =>
        TryVsock(address, out var cid, out var port) ? new VsockEndPoint(cid, port) : new UnixDomainSocketEndPoint(UnixPath(address));

    private static string UnixPath(string address)
    {
        var path = address.StartsWith("unix:", StringComparison.Ordinal) ? address["unix:".Length..] : address;
        return path.Length == 0 ? throw new ArgumentException("the agent address is empty; give a socket path, unix:PATH or vsock:[CID:]PORT") : path;
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
