using Parma.Webhook.Admission;

namespace Parma.Webhook.Mutation;

/// <summary>/mutate/pods: stamps the pods of groups and opted-in pods; leaves every other pod alone.</summary>
public sealed class PodMutation(PodExpectations expectations) : IAdmissionHandler
{
    public string Operation => "mutate_pods";

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
            return expectation is null
                ? AdmissionResult.Allow()
                : AdmissionResult.AllowWithPatch(PodStamper.Patch(request.Object, expectation.Stamp));
        }
        catch (PodRefusedException e)
        {
            return AdmissionResult.Deny(e.Reason, e.Message);
        }
    }
}
