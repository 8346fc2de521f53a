using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>Listens on AF_VSOCK (port 1024 in a Kata UVM).</summary>
public sealed class VsockAgentListener(uint port = VsockEndPoint.AgentPort, uint cid = VsockEndPoint.AnyCid) : IAgentListener
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private Socket? _socket;

    /// <summary>Whether this kernel makes AF_VSOCK sockets at all.</summary>
    public static bool IsSupported => VsockSockets.Supported();

    public string Address => new VsockEndPoint(cid, port).ToString();

    public void Start() => _socket = VsockSockets.Listen(new VsockEndPoint(cid, port), 64);

    /// <summary>Waits for the host on a pool thread: a vsock listener cannot use the runtime's asynchronous accept.</summary>
    public async ValueTask<IAgentConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        var listener = _socket ?? throw new InvalidOperationException($"{Address}: Start() was not called");
        return await Task.Run(
            () =>
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (listener.Poll(PollInterval, SelectMode.SelectRead) && VsockSockets.TryAccept(listener) is { } connection)
                    {
                        return (IAgentConnection)new SocketAgentConnection(connection);
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _socket?.Dispose();
}
