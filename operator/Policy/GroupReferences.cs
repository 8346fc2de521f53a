using Parma.Api;
using k8s.Models;

namespace Parma.Operator.Policy;

/// <summary>
/// The names of the ConfigMaps and Secrets (in the group's namespace) that a group's policy depends on:
/// read by <see cref="ReferencedObjects"/>, and indexed by the controller so that a change to one re-queues the group.
/// </summary>
internal static class GroupReferences
{
    /// <summary>ConfigMaps the containers take environment values from.</summary>
    public static IEnumerable<string> EnvironmentConfigMaps(ConfidentialPodGroup group) =>
        Distinct(Containers(group).SelectMany(c =>
            (c.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name))));

    /// <summary>Secrets the containers take environment values from.</summary>
    public static IEnumerable<string> EnvironmentSecrets(ConfidentialPodGroup group) =>
        Distinct(Containers(group).SelectMany(c =>
            (c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.SecretRef?.Name))));

    /// <summary>Secrets images are resolved with: spec.policy.imagePullSecrets, then the template's.</summary>
    public static IEnumerable<string> PullSecrets(ConfidentialPodGroup group) =>
        Distinct((group.Spec.Policy?.ImagePullSecrets ?? []).Concat(group.Spec.Template.Spec?.ImagePullSecrets ?? []).Select(s => s.Name));

    /// <summary>Every ConfigMap the policy reads: environment sources and the settings overrides.</summary>
    public static IEnumerable<string> ConfigMaps(ConfidentialPodGroup group) =>
        Distinct(EnvironmentConfigMaps(group).Append(group.Spec.Policy?.SettingsRef?.Name));

    /// <summary>Every Secret the policy depends on: pull secrets and environment sources.</summary>
    public static IEnumerable<string> Secrets(ConfidentialPodGroup group) => Distinct(PullSecrets(group).Concat(EnvironmentSecrets(group)));

    private static IEnumerable<V1Container> Containers(ConfidentialPodGroup group) =>
        (group.Spec.Template.Spec?.InitContainers ?? []).Concat(group.Spec.Template.Spec?.Containers ?? []);

    private static IEnumerable<string> Distinct(IEnumerable<string?> names) => names.OfType<string>().Distinct(StringComparer.Ordinal);
}
