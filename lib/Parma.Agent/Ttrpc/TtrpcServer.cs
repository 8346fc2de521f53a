using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parma.Agent.Transport;

namespace Parma.Agent.Ttrpc;

/// <summary>
/// A ttrpc server: accepts connections from a listener and serves each connection's requests
/// concurrently. A connection that breaks the framing is closed and logged; the server goes on.
/// </summary>
public sealed class TtrpcServer(IAgentListener listener, ITtrpcHandler handler, ILogger? logger = null, int maxPayload = TtrpcFrame.DefaultMaxPayload)
    : IAsyncDisposable
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;

    public string Address => listener.Address;

    public void Start()
    {
        listener.Start();
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            IAgentConnection accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("accept on {Address} failed: {Error}", listener.Address, e.Message);
                continue;
            }

            var connection = new TtrpcServerConnection(accepted, handler, _logger, maxPayload);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection.RunAsync(cancellationToken));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _stop.Dispose();
    }
}
