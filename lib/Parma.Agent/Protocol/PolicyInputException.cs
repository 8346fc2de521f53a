namespace Parma.Agent.Protocol;

/// <summary>A request that cannot be turned into policy input, or policy-input JSON that is not a valid request; the message names the field.</summary>
public sealed class PolicyInputException(string message) : Exception(message);
