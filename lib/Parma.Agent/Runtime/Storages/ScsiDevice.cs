using System.Text.RegularExpressions;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The guest block device of a Kata SCSI storage, whose source is "target:lun" on the guest's one
/// virtio-scsi controller (SCSI address 0:0:target:lun), as kata-agent finds it: the controllers are
/// asked to scan for it, then the device is looked up under /sys/bus/scsi/devices.
/// </summary>
internal static partial class ScsiDevice
{
    private static readonly TimeSpan AppearWithin = TimeSpan.FromSeconds(5);

    [GeneratedRegex("^(?<target>[0-9]{1,5}):(?<lun>[0-9]{1,5})$")]
    private static partial Regex AddressPattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,31}$")]
    private static partial Regex BlockNamePattern();

    public static async Task<string> ResolveAsync(string source, string what, CancellationToken cancellationToken, string sysRoot = "/sys", string devRoot = "/dev")
    {
        var address = AddressPattern().Match(source);
        if (!address.Success)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: '{source}' is not a SCSI address target:lun");
        }

        var (target, lun) = (address.Groups["target"].Value, address.Groups["lun"].Value);
        Scan(sysRoot, target, lun);
        var block = Path.Combine(sysRoot, "bus", "scsi", "devices", $"0:0:{target}:{lun}", "block");
        var deadline = DateTime.UtcNow + AppearWithin;
        while (true)
        {
            var name = Directory.Exists(block) ? Directory.EnumerateDirectories(block).Select(Path.GetFileName).FirstOrDefault(n => n is not null && BlockNamePattern().IsMatch(n)) : null;
            if (name is not null && File.Exists(Path.Combine(devRoot, name)))
            {
                return Path.Combine(devRoot, name);
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new RuntimeException(StatusCode.NotFound, $"{what}: no block device at SCSI address 0:0:{target}:{lun}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks every SCSI host to scan channel 0 for the target and LUN (a hot-plugged disk appears without a full rescan).</summary>
    private static void Scan(string sysRoot, string target, string lun)
    {
        var hosts = Path.Combine(sysRoot, "class", "scsi_host");
        if (!Directory.Exists(hosts))
        {
            return;
        }

        foreach (var host in Directory.EnumerateDirectories(hosts))
        {
            try
            {
                File.WriteAllText(Path.Combine(host, "scan"), $"0 {target} {lun}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A host without the device refuses the scan; another may have it.
            }
        }
    }
}
