using System.Text.Json.Nodes;
using Parma.Policy.Settings;

namespace Parma.Groups.Inputs;

/// <summary>
/// Everything besides the pod spec and the images that a group's (or an opted-in pod's) policy is made
/// from, read once through <see cref="GroupInputsReader"/> by the operator and by the webhook alike.
/// </summary>
/// <param name="Settings">The generator settings (the cluster's, with the group's settingsRef patch applied).</param>
/// <param name="SettingsPatch">That patch's text; null without settingsRef.</param>
/// <param name="ReferencedResources">
/// The ConfigMaps and Secrets the containers take environment values from, as Kubernetes JSON objects
/// (names and keys in ordinal order, Secret values base64 as in the API), for ManifestSet.AddReferencedResources.
/// </param>
/// <param name="Credentials">Registry credentials from the pull secrets, in the kubelet's order.</param>
public sealed record GroupInputs(
    PolicySettings Settings,
    string? SettingsPatch,
    IReadOnlyList<JsonObject> ReferencedResources,
    PullSecretCredentials Credentials)
{
    /// <summary>What distinguishes two inputs for caching: equal fingerprints, equal policies (for equal specs and images).</summary>
    public string Fingerprint => string.Join("\n\u0000", [SettingsPatch ?? "", .. ReferencedResources.Select(r => r.ToJsonString()), Credentials.Key]);
}
