namespace Parma.Groups.Inputs;

/// <summary>
/// A group input cannot be read as the policy needs it; <see cref="Reason"/> is a PolicyReady condition
/// reason (GroupConditions.Reasons) and the message names the object and what to fix.
/// </summary>
public sealed class GroupInputException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Reason { get; } = reason;
}
