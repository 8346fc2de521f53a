using System.Globalization;

namespace Parma.Agent.Runtime;

/// <summary>
/// What this process may do to build a root file system: overlay mounts need CAP_SYS_ADMIN and an
/// overlay-capable kernel, whiteouts CAP_MKNOD, ownership CAP_CHOWN; dm-verity devices need the
/// device-mapper driver and veritysetup besides.
/// </summary>
public sealed record MountSupport(bool CanMountOverlay, bool CanMakeNodes, bool CanChown, bool HasDeviceMapper, string? Veritysetup)
{
    private const int CapChown = 0;
    private const int CapMknod = 27;
    private const int CapSysAdmin = 21;

    public static MountSupport Detect()
    {
        var effective = EffectiveCapabilities();
        bool Has(int capability) => (effective & (1UL << capability)) != 0;
        var overlay = File.Exists("/proc/filesystems") && File.ReadLines("/proc/filesystems").Any(l => l.EndsWith("\toverlay", StringComparison.Ordinal));
        return new MountSupport(
            CanMountOverlay: overlay && Has(CapSysAdmin),
            CanMakeNodes: Has(CapMknod),
            CanChown: Has(CapChown),
            HasDeviceMapper: DeviceMapperLoaded() && Has(CapSysAdmin),
            Veritysetup: FindOnPath("veritysetup"));
    }

    /// <summary>Why layers cannot be mounted here, or null when they can.</summary>
    public string? MissingForLayerMounts =>
        !CanMountOverlay ? "overlay mounts need CAP_SYS_ADMIN and an overlay-capable kernel"
        : !CanMakeNodes ? "overlay whiteouts need CAP_MKNOD"
        : null;

    /// <summary>Whether layers are opened as dm-verity devices (kernel-verified reads) rather than verified in user space.</summary>
    public bool UsesDeviceMapper => HasDeviceMapper && Veritysetup is not null;

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The kernel's own list of misc devices, not /dev/mapper/control, which dmsetup creates even when the driver is absent.</summary>
    private static bool DeviceMapperLoaded() =>
        File.Exists("/proc/misc") && File.ReadLines("/proc/misc").Any(l => l.EndsWith(" device-mapper", StringComparison.Ordinal));

    private static ulong EffectiveCapabilities()
    {
        const string prefix = "CapEff:";
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
        return line is not null && ulong.TryParse(line[prefix.Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) ? mask : 0;
    }
}
