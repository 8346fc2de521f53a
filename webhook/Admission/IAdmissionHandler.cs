namespace Parma.Webhook.Admission;

/// <summary>One admission endpoint's decision logic.</summary>
public interface IAdmissionHandler
{
    /// <summary>The metric label of this endpoint (mutate_pods, validate_pods, validate_confidentialpodgroups).</summary>
    string Operation { get; }

    /// <summary>Whether answers depend on the cached groups (then nothing is admitted before the caches sync).</summary>
    bool NeedsClusterCache { get; }

    Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
