namespace Parma.Agent.Ttrpc;

/// <summary>One unary call as the server received it.</summary>
public sealed record TtrpcCall(uint StreamId, string Service, string Method, byte[] Payload, TimeSpan? Timeout, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Serves unary calls. Throw <see cref="TtrpcException"/> to answer with a status; any other exception answers INTERNAL.</summary>
public interface ITtrpcHandler
{
    Task<byte[]> HandleAsync(TtrpcCall call, CancellationToken cancellationToken);
}
