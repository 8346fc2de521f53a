using System.Text.Json.Serialization;

namespace Parma.Policy.Settings;

/// <summary>
/// Generator settings: where the runtime puts things, what the kubelet and Kata add to every
/// container, and the debug switches. The defaults are embedded (default-settings.json); users
/// replace them with their own file or change them with JSON-Patch drop-ins.
/// </summary>
public sealed class PolicySettings
{
    public required string Version { get; init; }

    public required RuntimeSettings Runtime { get; init; }

    public required CapabilitySettings Capabilities { get; init; }

    public required IReadOnlyList<string> MaskedPaths { get; init; }

    public required IReadOnlyList<string> ReadonlyPaths { get; init; }

    public required IReadOnlyList<MountRule> OciMounts { get; init; }

    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    public required IReadOnlyList<string> KubernetesEnvRegex { get; init; }

    public required IReadOnlyDictionary<string, bool> RequestDefaults { get; init; }

    public required ExecRules Exec { get; init; }

    public required IReadOnlyList<string> CopyFileRegex { get; init; }

    public required IReadOnlyList<int> AllowedSignals { get; init; }

    public required IReadOnlyList<string> ForbiddenInterfaces { get; init; }

    /// <summary>Interface flags the host may set (IFF_NOARP, 128, by default); any other bit is refused.</summary>
    public required long AllowedInterfaceFlags { get; init; }
}

public sealed class RuntimeSettings
{
    public required string OciVersion { get; init; }

    /// <summary>Where the Kata shim shares container files in the guest.</summary>
    public required string Cpath { get; init; }

    public required string LayersPath { get; init; }

    public required string LayerSrcPrefix { get; init; }

    /// <summary>Where Kata mounts block volumes in the guest, each at its own base64url(device source) below (Kata's spath).</summary>
    public required string StoragePath { get; init; }

    public required string SandboxIdRegex { get; init; }

    public required string ContainerIdRegex { get; init; }

    public required IReadOnlyList<string> Namespaces { get; init; }

    public required PauseSettings Pause { get; init; }

    public required IReadOnlyList<StorageRule> SandboxStorages { get; init; }

    /// <summary>
    /// The cgroups paths containerd gives a container (systemd and cgroupfs drivers, every QoS class), with
    /// $(pod_uid), $(pod_uid_underscored) and $(container_id) filled in by the policy from the request.
    /// </summary>
    public required IReadOnlyList<string> CgroupsPaths { get; init; }

    /// <summary>The process resource limits the runtime sets (Kubernetes sets none).</summary>
    public required IReadOnlyList<RlimitRule> Rlimits { get; init; }

    public required OomScoreAdjSettings OomScoreAdj { get; init; }

    /// <summary>AppArmor profiles the runtime may name for a container that asks for none ("" on hosts without AppArmor).</summary>
    public required IReadOnlyList<string> ApparmorProfiles { get; init; }
}

/// <summary>A POSIX resource limit as the OCI process carries it.</summary>
public sealed record RlimitRule(string Type, ulong Hard, ulong Soft);

/// <summary>The oom_score_adj range the kubelet sets: [min, max] for the sandbox and for the other containers.</summary>
public sealed class OomScoreAdjSettings
{
    public required IReadOnlyList<long> Pause { get; init; }

    public required IReadOnlyList<long> Container { get; init; }
}

public sealed class PauseSettings
{
    public required string Image { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public required string Cwd { get; init; }

    public required IReadOnlyList<string> Env { get; init; }
}

public sealed class CapabilitySettings
{
    public required IReadOnlyList<string> Default { get; init; }

    public required IReadOnlyList<string> All { get; init; }
}

/// <summary>An OCI mount the policy allows: exact destination, type and options; source as an RE2 pattern.</summary>
public sealed record MountRule(string Destination, string Type, string Source, IReadOnlyList<string> Options);

/// <summary>
/// A sandbox storage the policy allows (the sandbox's shared memory); source and mount point are RE2
/// patterns. The options are exactly these, plus one size=&lt;bytes&gt; option no larger than <see cref="SizeLimit"/>.
/// </summary>
public sealed record StorageRule(string Driver, string Fstype, string Source, string MountPoint, IReadOnlyList<string> Options, long SizeLimit);

/// <summary>
/// Commands the host may exec in every container: exact argument arrays, or one RE2 pattern per
/// argument (each must match its whole argument, and the counts must agree). <see cref="Terminal"/>:
/// whether these commands may run with a terminal (`kubectl exec -t`); probes never may.
/// </summary>
public sealed class ExecRules
{
    public IReadOnlyList<IReadOnlyList<string>> Commands { get; init; } = [];

    [JsonPropertyName("regex")]
    public IReadOnlyList<IReadOnlyList<string>> Regex { get; init; } = [];

    public bool Terminal { get; init; }
}
