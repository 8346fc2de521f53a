using System.Text;
using Parma.Api;
using Parma.Groups.Pods;
using Parma.Policy.Output;
using Parma.Webhook.Admission;
using Parma.Webhook.Generation;

namespace Parma.Webhook.Validation;

/// <summary>
/// /validate/pods: a confidential pod must carry exactly what its group (or its own spec, when opted
/// in) produces, and its policy must allow the containers it will start (the pre-flight). On update,
/// the policy annotations, host_data and the group and policy-hash labels cannot change: a running
/// sandbox's policy is fixed at launch, so a changed annotation could only mislead.
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

        if (request.Operation == AdmissionRequest.Update && request.OldObject is not null)
        {
            return ValidateUpdate(PodClaim.Of(request.OldObject), PodClaim.Of(request.Object));
        }

        if (request.Operation != AdmissionRequest.Create)
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
            return ValidateUnmanaged(PodClaim.Of(request.Object));
        }

        var differences = PodContractPatch.Differences(request.Object, expectation.Contract);
        if (differences.Count > 0)
        {
            return AdmissionResult.Deny(DenialReasons.Tampered,
                $"the pod does not carry what {expectation.Source} produces (host_data {expectation.Contract.Annotations.HostDataHex}): {string.Join(", ", differences)}. "
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

        var confidential = old.GroupName is not null || old.HostData is not null || old.AgentPolicyValue is not null || old.InitDataValue is not null;
        return changed.Count == 0 || !confidential
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny(DenialReasons.ImmutablePolicy,
                $"the policy of a confidential pod is fixed when its sandbox starts; these cannot change: {string.Join(", ", changed)}. Delete the pod and create a new one.");
    }

    /// <summary>A pod Parma does not manage may still carry a policy (e.g. stamped by `parma policy generate --patch`): its host_data must match it.</summary>
    private static AdmissionResult ValidateUnmanaged(PodClaim claim)
    {
        if (claim.AgentPolicy is not { } policy || claim.HostData is null)
        {
            return AdmissionResult.Allow();
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(policy));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return AdmissionResult.Deny(DenialReasons.Tampered, $"metadata.annotations[{PolicyAnnotations.AgentPolicyKey}] is not base64 of UTF-8 policy text");
        }

        var actual = HostData.ToHex(HostData.OfPolicy(text));
        return actual == claim.HostData
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny(DenialReasons.Tampered,
                $"metadata.annotations[{PolicyAnnotations.HostDataKey}] is {claim.HostData}, but the policy in {PolicyAnnotations.AgentPolicyKey} hashes to {actual}");
    }
}
