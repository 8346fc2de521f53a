namespace Parma.Webhook.Admission;

/// <summary>One admission endpoint's decision logic.</summary>
public interface IAdmissionHandler
{
    /// <summary>The metric label of this endpoint (mutate_pods, validate_pods, validate_confidentialpodgroups).</summary>
    string Operation { get; }

    Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
