namespace Parma.Api;

/// <summary>Condition types and reasons of a ConfidentialPodGroup's status.</summary>
public static class GroupConditions
{
    /// <summary>The policy for the current spec and image digests is generated and stored.</summary>
    public const string PolicyReady = "PolicyReady";

    /// <summary>At least replicas − maxUnavailable pods are ready.</summary>
    public const string Available = "Available";

    /// <summary>Pods are being created or replaced towards the current policy.</summary>
    public const string Progressing = "Progressing";

    /// <summary>Something needs a person: an image does not resolve, the policy is over budget, pods fail.</summary>
    public const string Degraded = "Degraded";

    public static class Reasons
    {
        public const string PolicyGenerated = "PolicyGenerated";
        public const string ImageResolutionFailed = "ImageResolutionFailed";
        public const string PolicyTooLarge = "PolicyTooLarge";
        public const string InvalidSpec = "InvalidSpec";
        public const string SettingsNotFound = "SettingsNotFound";
        public const string InvalidPullSecret = "InvalidPullSecret";
        public const string GenerationFailed = "GenerationFailed";
        public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
        public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";
        public const string RollingUpdate = "RollingUpdate";
        public const string ScalingReplicas = "ScalingReplicas";
        public const string RolloutComplete = "RolloutComplete";
        public const string AsExpected = "AsExpected";
        public const string PodsFailing = "PodsFailing";
    }
}
