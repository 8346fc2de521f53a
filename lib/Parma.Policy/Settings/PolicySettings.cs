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

/// <summary>An agent storage the policy allows; source and mount point are RE2 patterns.</summary>
public sealed record StorageRule(string Driver, string Fstype, string Source, string MountPoint, IReadOnlyList<string>? Options = null);

/// <summary>Commands the host may exec: exact argument arrays, or patterns over the space-joined arguments.</summary>
public sealed class ExecRules
{
    public IReadOnlyList<IReadOnlyList<string>> Commands { get; init; } = [];

    [JsonPropertyName("regex")]
    public IReadOnlyList<string> Regex { get; init; } = [];
}
