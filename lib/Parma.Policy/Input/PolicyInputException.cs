namespace Parma.Policy.Input;

/// <summary>The input manifests, settings or images cannot produce a policy; the message says what and where.</summary>
public sealed class PolicyInputException(string message, Exception? inner = null) : Exception(message, inner);
