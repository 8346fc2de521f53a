using System.Runtime.InteropServices;

namespace Parma.Agent.Hosting;

/// <summary>
/// Catches SIGTERM and SIGINT (Ctrl+C) and keeps the runtime from exiting on them, so that the caller can
/// stop serving in order: remove containers and their mounts, close the listener (which deletes a Unix
/// socket file). Without this, .NET ends the process on SIGTERM and leaves all of that behind.
/// Create it before the agent starts listening: a signal that arrives in between is kept, not lost.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    private readonly TaskCompletionSource<string?> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    private TerminationSignals()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    /// <summary>Starts catching the signals now.</summary>
    public static TerminationSignals Catch() => new();

    /// <summary>Completes with the signal's name once one has arrived, or when <paramref name="cancellationToken"/> is cancelled (then null).</summary>
    public async Task<string?> WaitAsync(CancellationToken cancellationToken = default)
    {
        await using var cancelled = cancellationToken.Register(() => _received.TrySetResult(null));
        return await _received.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _received.TrySetResult(context.Signal.ToString());
    }
}
