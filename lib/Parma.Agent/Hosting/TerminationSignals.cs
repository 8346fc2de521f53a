using System.Runtime.InteropServices;

namespace Parma.Agent.Hosting;

/// <summary>
/// Waits for SIGTERM or SIGINT (Ctrl+C) and keeps the runtime from exiting on it, so that the caller can
/// stop serving in order: remove containers and their mounts, close the listener (which deletes a Unix
/// socket file). Without this, .NET ends the process on SIGTERM and leaves all of that behind.
/// </summary>
public static class TerminationSignals
{
    /// <summary>Completes with the signal's name when one arrives, or when <paramref name="cancellationToken"/> is cancelled (then null).</summary>
    public static async Task<string?> WaitAsync(CancellationToken cancellationToken = default)
    {
        var received = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            received.TrySetResult(context.Signal.ToString());
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        await using var cancelled = cancellationToken.Register(() => received.TrySetResult(null));
        return await received.Task.ConfigureAwait(false);
    }
}
