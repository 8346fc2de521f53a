using k8s.Models;

namespace Parma.Api;

/// <summary>
/// Cluster-level settings the operator and the webhook share (the chart's settings ConfigMap,
/// mounted as a JSON file). Everything has a default so a missing file means "defaults".
/// </summary>
public sealed record ParmaSettings
{
    public const string DefaultRuntimeClass = "kata-qemu-snp";

    /// <summary>RuntimeClass for groups that name none.</summary>
    public string RuntimeClassName { get; init; } = DefaultRuntimeClass;

    /// <summary>RuntimeClasses a group may ask for; the default one is always allowed.</summary>
    public IReadOnlyList<string> AllowedRuntimeClasses { get; init; } = [DefaultRuntimeClass];

    /// <summary>Node labels of the SNP node pool, added to every confidential pod.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    /// <summary>Tolerations for the SNP node pool's taints, added to every confidential pod.</summary>
    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    /// <summary>Where resolved layers' root hashes are cached; null keeps them in memory only.</summary>
    public string? LayerCacheDirectory { get; init; }

    /// <summary>A generator settings file replacing the embedded defaults (genpolicy-settings-like JSON); null: embedded.</summary>
    public string? PolicySettingsFile { get; init; }

    /// <summary>Registries reached over plain HTTP (host[:port]); for development registries only.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    public bool IsRuntimeClassAllowed(string name) =>
        name == RuntimeClassName || AllowedRuntimeClasses.Contains(name, StringComparer.Ordinal);
}
