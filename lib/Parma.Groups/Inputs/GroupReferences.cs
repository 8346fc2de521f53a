using k8s.Models;
using Parma.Api;

namespace Parma.Groups.Inputs;

/// <summary>
/// The names of the objects (in the pod's namespace) a policy depends on, from the pod spec and the
/// group's spec.policy: read by <see cref="GroupInputsReader"/>, and indexed by the operator so that a
/// change to one re-queues the groups that read it.
/// </summary>
public static class GroupReferences
{
    /// <summary>The ServiceAccount pods run as when the spec names none (what the API server's admission sets).</summary>
    public const string DefaultServiceAccount = "default";

    /// <summary>ConfigMaps the containers take environment values from, in ordinal order.</summary>
    public static IReadOnlyList<string> EnvironmentConfigMaps(V1PodSpec? spec) =>
        Sorted(Containers(spec).SelectMany(c =>
            (c.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name))));

    /// <summary>Secrets the containers take environment values from, in ordinal order.</summary>
    public static IReadOnlyList<string> EnvironmentSecrets(V1PodSpec? spec) =>
        Sorted(Containers(spec).SelectMany(c =>
            (c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name).Concat((c.EnvFrom ?? []).Select(e => e.SecretRef?.Name))));

    /// <summary>The pod's ServiceAccount: spec.serviceAccountName, else the deprecated spec.serviceAccount, else default.</summary>
    public static string ServiceAccount(V1PodSpec? spec) =>
        spec?.ServiceAccountName is { Length: > 0 } name ? name
        : spec?.ServiceAccount is { Length: > 0 } legacy ? legacy
        : DefaultServiceAccount;

    /// <summary>Every ConfigMap the policy reads: environment sources and the settings overrides.</summary>
    public static IEnumerable<string> ConfigMaps(V1PodSpec? spec, GroupPolicySpec? policy) =>
        Distinct(EnvironmentConfigMaps(spec).Append(policy?.SettingsRef?.Name));

    /// <summary>
    /// Every Secret named in the spec that the policy depends on: pull secrets named by the pod and the
    /// group, and environment sources. (Pull secrets the ServiceAccount names are found through it.)
    /// </summary>
    public static IEnumerable<string> Secrets(V1PodSpec? spec, GroupPolicySpec? policy) =>
        Distinct((spec?.ImagePullSecrets ?? []).Concat(policy?.ImagePullSecrets ?? []).Select(s => s.Name).Concat(EnvironmentSecrets(spec)));

    private static IEnumerable<V1Container> Containers(V1PodSpec? spec) => (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []);

    private static IReadOnlyList<string> Sorted(IEnumerable<string?> names) => [.. Distinct(names).Order(StringComparer.Ordinal)];

    private static IEnumerable<string> Distinct(IEnumerable<string?> names) => names.OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal);
}
