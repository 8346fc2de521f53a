namespace Parma.Agent.Ttrpc;

/// <summary>The peer broke the framing (bad header, oversized or truncated frame); the connection is closed.</summary>
public sealed class TtrpcProtocolException(string message) : Exception(message);
