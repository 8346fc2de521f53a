using Parma.Policy.Settings;

namespace Parma.Groups.Inputs;

/// <summary>
/// Everything besides the pod spec and the images that a group's (or an opted-in pod's) policy is made
/// from, read once through <see cref="GroupInputsReader"/> by the operator and by the webhook alike.
/// </summary>
/// <param name="Settings">The generator settings (the cluster's, with the group's settingsRef patch applied).</param>
/// <param name="SettingsPatch">That patch's text; null without settingsRef.</param>
/// <param name="ReferencedManifests">
/// The ConfigMaps and Secrets the containers take environment values from, as JSON documents separated
/// by "---" lines (names and keys in ordinal order, Secret values base64 as in the API); "" when none exist.
/// </param>
/// <param name="Credentials">Registry credentials from the pull secrets, in the kubelet's order.</param>
public sealed record GroupInputs(
    PolicySettings Settings,
    string? SettingsPatch,
    string ReferencedManifests,
    PullSecretCredentials Credentials)
{
    /// <summary>What distinguishes two inputs for caching: equal fingerprints, equal policies (for equal specs and images).</summary>
    public string Fingerprint => string.Join("\n\u0000", SettingsPatch ?? "", ReferencedManifests, Credentials.Key);
}
