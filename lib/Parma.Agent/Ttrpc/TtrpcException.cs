namespace Parma.Agent.Ttrpc;

/// <summary>A call answered with a non-OK status. Handlers throw it to answer with that status.</summary>
public sealed class TtrpcException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;

    public override string ToString() => $"{Code}: {Message}";
}
