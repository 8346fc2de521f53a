using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>An accepted stream socket (Unix or vsock) as an agent connection.</summary>
public sealed class SocketAgentConnection : IAgentConnection
{
    /// <summary>
    /// How long a read polls for the host's next request before its thread blocks: a host sends
    /// requests in runs (create, start, exec …), and each wake-up of a halted vCPU costs more than a decision.
    /// </summary>
    private static readonly TimeSpan PollForRequests = TimeSpan.FromMicroseconds(200);

    private readonly Socket _socket;
    private readonly SocketStream _stream;

    public SocketAgentConnection(Socket socket)
    {
        _socket = socket;
        _stream = new SocketStream(socket, ownsSocket: true) { PollBeforeBlocking = PollForRequests };
    }

    public Stream Stream => _stream;

    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public void Dispose() => _stream.Dispose();
}
