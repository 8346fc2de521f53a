using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>An allowed request the backend could not carry out; the message says what failed.</summary>
public sealed class RuntimeException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;
}
