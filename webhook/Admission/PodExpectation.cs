using Parma.Webhook.Generation;
using Parma.Webhook.Mutation;

namespace Parma.Webhook.Admission;

/// <summary>What a confidential pod must carry, where that comes from, and how to pre-flight it.</summary>
/// <param name="Source">For messages: "ConfidentialPodGroup demo/hello" or "the policy generated from the pod's spec".</param>
/// <param name="Preflight">Built on demand: only validation pre-flights, and the pod template it needs is a deep copy of the pod.</param>
public sealed record PodExpectation(string Source, PodStamp Stamp, Func<PreflightSubject> Preflight);

/// <summary>A pod the webhook must refuse before it can even say what the pod should carry.</summary>
public sealed class PodRefusedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
