namespace Parma.Agent.Ttrpc;

/// <summary>One unary call as the server received it.</summary>
/// <param name="Timeout">The request's deadline from its timeout_nano (<see cref="TimeoutOf"/>); null for none.</param>
public sealed record TtrpcCall(uint StreamId, string Service, string Method, byte[] Payload, TimeSpan? Timeout, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The longest deadline a request gets: a timer cannot wait longer (about 49.7 days), so longer timeouts are clamped to it.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// A deadline from a request's timeout_nano, which the host chooses: none for 0 or a negative value,
    /// else the timeout (at least one tick), clamped to <see cref="MaxTimeout"/> so that a huge value is
    /// a long deadline, not a failed request.
    /// </summary>
    public static TimeSpan? TimeoutOf(long timeoutNano) =>
        timeoutNano <= 0 ? null
        : timeoutNano / 100 >= MaxTimeout.Ticks ? MaxTimeout
        : TimeSpan.FromTicks(Math.Max(1, timeoutNano / 100));
}

/// <summary>Serves unary calls. Throw <see cref="TtrpcException"/> to answer with a status; any other exception answers INTERNAL.</summary>
public interface ITtrpcHandler
{
    Task<byte[]> HandleAsync(TtrpcCall call, CancellationToken cancellationToken);
}
