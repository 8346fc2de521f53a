namespace Parma.Api;

/// <summary>Labels and annotations shared by the operator, the webhook and the chart.</summary>
public static class ParmaLabels
{
    /// <summary>Pod label naming the ConfidentialPodGroup (in the pod's namespace) the pod belongs to.</summary>
    public const string Group = "parma.dev/group";

    /// <summary>Pod label: the first 12 hex digits of the pod's host_data (labels cannot hold 64 characters).</summary>
    public const string PolicyHash = "parma.dev/policy-hash";

    /// <summary>Pod (or pod template) annotation asking the webhook to generate a policy from the pod's own spec.</summary>
    public const string GeneratePolicy = "parma.dev/generate-policy";

    /// <summary>Namespace label that turns the webhook on for ordinary workloads in it.</summary>
    public const string NamespaceEnabled = "parma.dev/enabled";

    /// <summary>Pod annotation with the full host_data (lower-case hex SHA-256 of the policy).</summary>
    public const string HostDataAnnotation = "parma.dev/host-data";

    /// <summary>Label on objects the operator owns (policy ConfigMaps).</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "parma-operator";

    /// <summary>Finalizer the operator puts on every group.</summary>
    public const string Finalizer = "parma.dev/cleanup";

    public const int PolicyHashLength = 12;

    public static string ShortHash(string hostDataHex) =>
        hostDataHex.Length <= PolicyHashLength ? hostDataHex : hostDataHex[..PolicyHashLength];
}
