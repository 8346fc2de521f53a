using System.Net;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>A listening stream socket on any endpoint the runtime can bind.</summary>
public abstract class SocketAgentListener(EndPoint endPoint, ProtocolType protocol) : IAgentListener
{
    private Socket? _socket;

    public abstract string Address { get; }

    public virtual void Start()
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(64);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
    }

    public async ValueTask<IAgentConnection> AcceptAsync(CancellationToken cancellationToken) =>
        new SocketAgentConnection(await (_socket ?? throw new InvalidOperationException($"{Address}: Start() was not called")).AcceptAsync(cancellationToken).ConfigureAwait(false));

    public virtual void Dispose()
    {
        _socket?.Dispose();
        GC.SuppressFinalize(this);
    }
}
