namespace Parma.Kube.Models;

/// <summary>meta/v1 DeleteOptions sent as the body of a DELETE.</summary>
public sealed class DeleteOptions : KubeModel
{
    public string ApiVersion { get; set; } = "v1";

    public string Kind { get; set; } = "DeleteOptions";

    public long? GracePeriodSeconds { get; set; }

    /// <summary>"Background", "Foreground" or "Orphan".</summary>
    public string? PropagationPolicy { get; set; }

    public Preconditions? Preconditions { get; set; }

    public List<string>? DryRun { get; set; }
}

public sealed class Preconditions : KubeModel
{
    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }
}
