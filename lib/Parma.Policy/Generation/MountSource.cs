using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>The concrete names a sandbox's runtime gives things, which the policy can only match by pattern.</summary>
public sealed record SandboxIdentity(string PodName, string SandboxId, string PodUid);

/// <summary>
/// Where a mount or storage comes from. The policy renders it as an RE2 pattern; the request
/// simulator renders the concrete path a correct host would use.
/// </summary>
public abstract record MountSource
{
    public abstract string Pattern(PolicySettings settings);

    public abstract string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId);
}

/// <summary>A fixed value (proc, tmpfs, the sandbox's shm).</summary>
public sealed record LiteralSource(string Value) : MountSource
{
    public override string Pattern(PolicySettings settings) => RegexText.Anchored(RegexText.Escape(Value));

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) => Value;
}

/// <summary>
/// A file or directory the shim shares or copies into the guest for one container: `{cpath}/{container id}-{16 hex}-{name}`.
/// <paramref name="IsFile"/>: a single file (hosts, hostname, resolv.conf, the termination log) rather than a volume's directory.
/// </summary>
public sealed record SharedFileSource(string Name, bool IsFile = false) : MountSource
{
    public override string Pattern(PolicySettings settings) =>
        RegexText.Anchored($"{RegexText.Escape(settings.Runtime.Cpath)}/{settings.Runtime.ContainerIdRegex}-[a-f0-9]{{16}}-{RegexText.Escape(Name)}");

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) =>
        $"{settings.Runtime.Cpath}/{containerId}-{SimulatedIds.Hex(containerId + Name, 16)}-{Name}";
}

/// <summary>An emptyDir on the guest's disk, shared by the sandbox's containers: `{cpath}/{sandbox id}/rootfs/local/{volume}`.</summary>
public sealed record SandboxLocalSource(string Volume) : MountSource
{
    public override string Pattern(PolicySettings settings) =>
        RegexText.Anchored($"{RegexText.Escape(settings.Runtime.Cpath)}/{settings.Runtime.SandboxIdRegex}/rootfs/local/{RegexText.Escape(Volume)}");

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) =>
        $"{settings.Runtime.Cpath}/{sandbox.SandboxId}/rootfs/local/{Volume}";
}

/// <summary>A source given in the settings as a pattern; only literal patterns (^text$) have an example.</summary>
public sealed record SettingsPatternSource(string SettingsPattern) : MountSource
{
    public override string Pattern(PolicySettings settings) => SettingsPattern;

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) =>
        RegexText.TryUnescapeLiteral(SettingsPattern, out var literal)
            ? literal
            : throw new InvalidOperationException($"The settings pattern {SettingsPattern} is not a literal, so no example source can be made for it.");
}

/// <summary>A mount the container will get.</summary>
public sealed record PlannedMount(string Destination, string Type, MountSource Source, IReadOnlyList<string> Options);

/// <summary>
/// A storage (volume) the agent will mount for the container. The generator's storages never change
/// group ownership through fs_group (a pod's fsGroup reaches them as an fsgid= option, as Kata sends it).
/// </summary>
public sealed record PlannedStorage(string Driver, string Fstype, MountSource Source, MountSource MountPoint, IReadOnlyList<string> Options)
{
    public IReadOnlyList<string> DriverOptions { get; init; } = [];

    /// <summary>Whether the agent keeps the storage when one of its containers is removed.</summary>
    public bool Shared { get; init; }
}
