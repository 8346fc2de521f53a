using Parma.Groups.Pods;
using Parma.Webhook.Admission;

namespace Parma.Webhook.Mutation;

/// <summary>
/// /mutate/pods: stamps the pods of groups and opted-in pods; leaves every other pod alone. A pod that
/// already carries a different policy annotation or host_data is not silently overwritten: it is left
/// as it is, and /validate/pods refuses it with a message saying what differs. An update that makes a
/// plain pod claim a group or a policy is stamped as its create would be; when the stamp would change
/// spec fields Kubernetes fixes at creation, the update is refused here with that reason (the API server
/// would refuse the patched update anyway, less clearly).
/// </summary>
public sealed class PodMutation(PodExpectations expectations) : IAdmissionHandler
{
    public string Operation => "mutate_pods";

    public bool NeedsClusterCache => true;

    public async Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (PodRequests.WrongKind(request) is { } wrong)
        {
            return wrong;
        }

        var update = PodUpdates.MakesClaim(request);
        if (!(request.Operation == AdmissionRequest.Create || update) || request.Object is null)
        {
            return AdmissionResult.Allow();
        }

        try
        {
            var expectation = await expectations.ForAsync(request.Object, request.Namespace, cancellationToken).ConfigureAwait(false);
            if (expectation is null)
            {
                return AdmissionResult.Allow();
            }

            var claim = PodClaim.Of(request.Object);
            var annotations = expectation.Contract.Annotations;
            var carried = claim.AgentPolicyValue ?? claim.InitDataValue;
            var carriesAnother = (claim.HostData is not null && claim.HostData != annotations.HostDataHex)
                || carried is not null && (!JsonText.EqualsString(carried, annotations.Value) || claim.AgentPolicyValue is not null && claim.InitDataValue is not null);
            if (carriesAnother)
            {
                return AdmissionResult.Allow();
            }

            var patch = PodContractPatch.For(request.Object, expectation.Contract);
            var fixedAtCreation = update ? PodContractPatch.FixedAtCreation(patch) : [];
            return fixedAtCreation.Count == 0
                ? AdmissionResult.AllowWithPatch(patch)
                : AdmissionResult.Deny(DenialReasons.ImmutablePolicy,
                    $"this update makes the pod claim {expectation.Source}, but a pod becomes confidential only when it is created: "
                    + $"{string.Join(", ", fixedAtCreation)} would have to change, and Kubernetes fixes them at creation. Delete the pod and create it with the claim.");
        }
        catch (PodRefusedException e)
        {
            return AdmissionResult.Deny(e.Reason, e.Message);
        }
    }
}
