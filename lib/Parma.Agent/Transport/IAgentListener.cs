namespace Parma.Agent.Transport;

/// <summary>
/// Where the agent accepts host connections: vsock (a real UVM), a virtio-serial port (a test VM
/// without vsock) or a Unix socket (tests, development).
/// </summary>
public interface IAgentListener : IDisposable
{
    /// <summary>For logs: "unix:/run/agent.sock", "vsock:any:1024", "serial:agent.channel.0 (/dev/vport1p1)".</summary>
    string Address { get; }

    void Start();

    ValueTask<IAgentConnection> AcceptAsync(CancellationToken cancellationToken);
}
