namespace Parma.Kube.Models;

/// <summary>metav1.Condition: one aspect of an object's state, as custom resources report it.</summary>
public sealed class Condition : KubeModel
{
    public string Type { get; set; } = "";

    /// <summary>"True", "False" or "Unknown".</summary>
    public string Status { get; set; } = "Unknown";

    public long? ObservedGeneration { get; set; }

    /// <summary>RFC 3339 time the status last changed (not when the message last changed).</summary>
    public string LastTransitionTime { get; set; } = "";

    /// <summary>CamelCase machine-readable reason.</summary>
    public string Reason { get; set; } = "";

    public string Message { get; set; } = "";
}
