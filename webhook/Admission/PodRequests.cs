namespace Parma.Webhook.Admission;

/// <summary>Checks shared by the pod endpoints.</summary>
public static class PodRequests
{
    /// <summary>A denial when the request is not about a core/v1 Pod (a misconfigured webhook rule).</summary>
    public static AdmissionResult? WrongKind(AdmissionRequest request) =>
        request is { Group: "", Version: "v1", Kind: "Pod" }
            ? null
            : AdmissionResult.Deny(DenialReasons.WrongKind,
                $"this endpoint admits core/v1 Pods, not {request.GroupVersionKind}; check the webhook configuration's rules", 400);
}
