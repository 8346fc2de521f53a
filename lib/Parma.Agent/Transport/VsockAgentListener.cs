using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>Listens on AF_VSOCK (port 1024 in a Kata UVM).</summary>
public sealed class VsockAgentListener(uint port = VsockEndPoint.AgentPort, uint cid = VsockEndPoint.AnyCid)
    : SocketAgentListener(new VsockEndPoint(cid, port), ProtocolType.Unspecified)
{
    public override string Address => new VsockEndPoint(cid, port).ToString();
}
