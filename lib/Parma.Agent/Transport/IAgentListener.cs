using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>Where the agent accepts host connections: a Unix socket (tests, development) or vsock (a real UVM).</summary>
public interface IAgentListener : IDisposable
{
    /// <summary>For logs: "unix:/run/agent.sock", "vsock:-1:1024".</summary>
    string Address { get; }

    void Start();

    ValueTask<Socket> AcceptAsync(CancellationToken cancellationToken);
}
