namespace Parma.Operator.Policy;

/// <summary>
/// The group's policy cannot be produced for a reason a person must fix (or wait out, for a registry
/// outage). <see cref="Reason"/> is the PolicyReady condition reason; the message says what to do.
/// </summary>
internal sealed class GroupPolicyException(string reason, string message, bool retry, Exception? inner = null)
    : Exception(message, inner)
{
    public string Reason { get; } = reason;

    /// <summary>Whether trying again later can succeed without a change to the group (e.g. the registry was down).</summary>
    public bool Retry { get; } = retry;
}
