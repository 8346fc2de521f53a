using Parma.Api;
using Parma.Groups.Pods;
using Parma.Policy.Output;
using Parma.Webhook.Admission;
using Parma.Webhook.Generation;

namespace Parma.Webhook.Validation;

/// <summary>
/// /validate/pods: a confidential pod must carry exactly what its group (or its own spec, when opted
/// in) produces, and its policy must allow the containers it will start (the pre-flight). An update of
/// a pod that claimed nothing to one that claims a group or carries a policy is judged as a create of
/// the updated pod. On any other update of a pod that claims something, the policy annotations,
/// host_data, the group and policy-hash labels and the controller ownerReference to a group cannot
/// change: a running sandbox's policy is fixed at launch, so a changed annotation could only mislead.
/// </summary>
public sealed class PodValidation(PodExpectations expectations, PreflightCheck preflight) : IAdmissionHandler
{
    public string Operation => "validate_pods";

    public bool NeedsClusterCache => true;

    public async Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (PodRequests.WrongKind(request) is { } wrong)
        {
            return wrong;
        }

        if (request.Object is null)
        {
            return AdmissionResult.Allow();
        }

        if (PodUpdates.ChangesClaimed(request))
        {
            return ValidateUpdate(PodClaim.Of(request.OldObject!), PodClaim.Of(request.Object));
        }

        if (request.Operation != AdmissionRequest.Create && !PodUpdates.MakesClaim(request))
        {
            return AdmissionResult.Allow();
        }

        PodExpectation? expectation;
        try
        {
            expectation = await expectations.ForAsync(request.Object, request.Namespace, cancellationToken).ConfigureAwait(false);
        }
        catch (PodRefusedException e)
        {
            return AdmissionResult.Deny(e.Reason, e.Message);
        }

        if (expectation is null)
        {
            return AdmissionResult.Allow();
        }

        var differences = PodContractPatch.Differences(request.Object, expectation.Contract);
        if (differences.Count > 0)
        {
            var mismatch = CarriedPolicy.HostDataMismatch(PodClaim.Of(request.Object));
            return AdmissionResult.Deny(DenialReasons.Tampered,
                $"the pod does not carry what {expectation.Source} produces (host_data {expectation.Contract.Annotations.HostDataHex}): {string.Join(", ", differences)}. "
                + (mismatch is null ? "" : $"The policy the pod carries does not even match its own host_data: {mismatch}. ")
                + "Policy annotations are set by the operator or the mutating webhook and must not be changed.");
        }

        var denial = await preflight.RunAsync(expectation.Preflight(), cancellationToken).ConfigureAwait(false);
        return denial is null
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny(DenialReasons.Preflight, $"the pod's policy ({expectation.Source}) would refuse it: {denial}");
    }

    private static AdmissionResult ValidateUpdate(PodClaim old, PodClaim updated)
    {
        var changed = new List<string>();
        if (old.GroupName != updated.GroupName)
        {
            changed.Add($"metadata.labels[{ParmaLabels.Group}]");
        }

        if (old.Owner != updated.Owner)
        {
            changed.Add($"metadata.ownerReferences (controller {ParmaApi.Kind})");
        }

        if (old.PolicyHashLabel != updated.PolicyHashLabel)
        {
            changed.Add($"metadata.labels[{ParmaLabels.PolicyHash}]");
        }

        if (old.HostData != updated.HostData)
        {
            changed.Add($"metadata.annotations[{PolicyAnnotations.HostDataKey}]");
        }

        if (!JsonText.SameString(old.AgentPolicyValue, updated.AgentPolicyValue))
        {
            changed.Add($"metadata.annotations[{PolicyAnnotations.AgentPolicyKey}]");
        }

        if (!JsonText.SameString(old.InitDataValue, updated.InitDataValue))
        {
            changed.Add($"metadata.annotations[{PolicyAnnotations.InitDataKey}]");
        }

        return changed.Count == 0
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny(DenialReasons.ImmutablePolicy,
                $"the policy of a confidential pod is fixed when its sandbox starts; these cannot change: {string.Join(", ", changed)}. Delete the pod and create a new one.");
    }
}
