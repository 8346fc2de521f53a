using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>The concrete names a sandbox's runtime gives things, which the policy can only match by pattern.</summary>
public sealed record SandboxIdentity(string PodName, string SandboxId, string PodUid)
{
    /// <summary>The source (a PCI path) of the disk the host attaches for each block emptyDir volume, by volume name.</summary>
    public IReadOnlyDictionary<string, string> BlockDevices { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string BlockDevice(string volume) =>
        BlockDevices.TryGetValue(volume, out var source) ? source : throw new InvalidOperationException($"The sandbox has no block device for volume {volume}.");
}

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

/// <summary>
/// The disk the host makes for a block emptyDir volume: attached as virtio-blk, its source is a PCI
/// path (one or two hops); as virtio-scsi, target:lun. The host chooses it when it hot-plugs the disk.
/// </summary>
public sealed record BlockDeviceSource(string Volume) : MountSource
{
    public override string Pattern(PolicySettings settings) => "^([0-9a-f]{2}(/[0-9a-f]{2})?|[0-9]+:[0-9]+)$";

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) => sandbox.BlockDevice(Volume);
}

/// <summary>Where Kata mounts a block emptyDir volume in the guest, named after its disk: `{spath}/{base64url(device source)}`.</summary>
public sealed record BlockStorageMountPoint(string Volume) : MountSource
{
    public override string Pattern(PolicySettings settings) => RegexText.Anchored($"{RegexText.Escape(settings.Runtime.StoragePath)}/[A-Za-z0-9_-]+={{0,2}}");

    public override string Example(PolicySettings settings, SandboxIdentity sandbox, string containerId) => Of(settings, sandbox.BlockDevice(Volume));

    /// <summary>The mount point of the disk with this source, as the kata shim names it (base64url with padding, as Go's URLEncoding).</summary>
    public static string Of(PolicySettings settings, string deviceSource) =>
        $"{settings.Runtime.StoragePath}/{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(deviceSource)).Replace('+', '-').Replace('/', '_')}";
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
/// A storage (volume) the agent will mount for the container. A <see cref="BlockDriver"/> storage is
/// a disk the host attaches as blk or scsi, whichever its hypervisor uses.
/// </summary>
public sealed record PlannedStorage(string Driver, string Fstype, MountSource Source, MountSource MountPoint, IReadOnlyList<string> Options)
{
    /// <summary>The policy's driver for a block emptyDir: the host sends "blk" or "scsi".</summary>
    public const string BlockDriver = "block";

    public IReadOnlyList<string> DriverOptions { get; init; } = [];

    /// <summary>Whether the agent keeps the storage when one of its containers is removed.</summary>
    public bool Shared { get; init; }

    /// <summary>The group the agent gives the volume's files (the pod's fsGroup), sent as the storage's fs_group; null for none.</summary>
    public uint? FsGroup { get; init; }

    /// <summary>The storage's fs_group as the kata shim sends it (group_change_policy Always), or null.</summary>
    public System.Text.Json.Nodes.JsonObject? FsGroupJson() => FsGroup is { } group
        ? new System.Text.Json.Nodes.JsonObject { ["group_change_policy"] = 0, ["group_id"] = group }
        : null;
}
