using Parma.Groups.Pods;
using Parma.Webhook.Admission;

namespace Parma.Webhook.Mutation;

/// <summary>
/// /mutate/pods: stamps the pods of groups and opted-in pods; leaves every other pod alone. A pod that
/// already carries a different policy annotation or host_data is not silently overwritten: it is left
/// as it is, and /validate/pods refuses it with a message saying what differs.
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

        if (request.Operation != AdmissionRequest.Create || request.Object is null)
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
            return carriesAnother
                ? AdmissionResult.Allow()
                : AdmissionResult.AllowWithPatch(PodContractPatch.For(request.Object, expectation.Contract));
        }
        catch (PodRefusedException e)
        {
            return AdmissionResult.Deny(e.Reason, e.Message);
        }
    }
}
