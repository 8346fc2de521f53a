namespace Parma.Agent.Ttrpc;

/// <summary>
/// Runs a connection's read loop on a thread of its own, with blocking reads. A blocking read is woken
/// by the kernel directly when bytes arrive; an asynchronous one goes through the socket engine's
/// event thread and a thread-pool hand-off, which on a small VM costs more than the request itself.
/// </summary>
internal static class ReaderThread
{
    /// <summary>Starts <paramref name="readLoop"/> and returns a task that ends (or faults) with it.</summary>
    public static Task Start(string name, Action readLoop)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                readLoop();
                ended.TrySetResult();
            }
            catch (Exception e)
            {
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return ended.Task;
    }
}
