namespace Parma.Kube.LeaderElection;

/// <summary>Timings as in client-go: a leader must renew within RenewDeadline; others wait LeaseDuration after the last change they saw.</summary>
public sealed record LeaderElectionConfig
{
    public required string LeaseName { get; init; }

    public required string Namespace { get; init; }

    /// <summary>This candidate's identity (usually the pod name).</summary>
    public required string Identity { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give the lease up (holder cleared) when leadership ends because of cancellation.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    public void Validate()
    {
        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be greater than RenewDeadline.");
        }

        if (RenewDeadline <= RetryPeriod)
        {
            throw new ArgumentException("RenewDeadline must be greater than RetryPeriod.");
        }

        if (string.IsNullOrEmpty(Identity))
        {
            throw new ArgumentException("Identity is required.");
        }
    }
}
