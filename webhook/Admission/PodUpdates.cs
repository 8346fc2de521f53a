namespace Parma.Webhook.Admission;

/// <summary>
/// How the pod endpoints tell the updates they judge as a create from the ones they judge as a change.
/// Kubernetes forbids most pod spec updates but allows metadata ones, so an update can give a plain pod
/// a group label, a controller ownerReference to a group or policy annotations: the result is then
/// judged exactly as a create of the updated pod would be. A pod that already claimed anything keeps
/// its claims unchanged (a sandbox's policy is fixed when it starts).
/// </summary>
public static class PodUpdates
{
    /// <summary>An update (with its old object) of a pod that claimed nothing to one that claims something.</summary>
    public static bool MakesClaim(AdmissionRequest request) =>
        request is { Operation: AdmissionRequest.Update, Object: { } updated, OldObject: { } old }
        && !PodClaim.Of(old).ClaimsAnything && PodClaim.Of(updated).ClaimsAnything;

    /// <summary>An update whose old pod already claimed something (so its claims must stay as they are).</summary>
    public static bool ChangesClaimed(AdmissionRequest request) =>
        request is { Operation: AdmissionRequest.Update, OldObject: { } old } && PodClaim.Of(old).ClaimsAnything;
}
