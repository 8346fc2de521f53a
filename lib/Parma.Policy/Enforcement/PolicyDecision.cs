using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>What the policy said about one request. <see cref="NewState"/> is the state to keep if the request then succeeds.</summary>
public sealed record PolicyDecision(string Kind, bool Allowed, string? Reason, Value Ops, Value NewState, long BaseVersion)
{
    /// <summary>The denial message agents return with PERMISSION_DENIED.</summary>
    public string DenialMessage => $"{Kind} is blocked by policy: {Reason}";
}
