using Parma.Groups.Pods;
using Parma.Webhook.Generation;

namespace Parma.Webhook.Admission;

/// <summary>What a confidential pod must carry, where that comes from, and how to pre-flight it.</summary>
/// <param name="Source">For messages: "ConfidentialPodGroup demo/hello" or "the policy generated from the pod's spec".</param>
/// <param name="Preflight">Built on demand: only validation pre-flights, and the pod template it needs is a deep copy of the pod.</param>
/// <param name="Contract">What the pod must carry: the same <see cref="PodContract"/> the operator applies to the pods it creates.</param>
public sealed record PodExpectation(string Source, PodContract Contract, Func<PreflightSubject> Preflight);

/// <summary>A pod the webhook must refuse before it can even say what the pod should carry.</summary>
public sealed class PodRefusedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
