using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// A layer the host attached as a block device, in Kata's tardev layout: the layer image (tar + tarfs
/// index, whole 4096-byte blocks), then its dm-verity hash tree, then a last 4096-byte block whose
/// final 512 bytes begin with the tree's parameters (data block size and hash block size as 32-bit,
/// data block count as 64-bit little-endian integers). The host chooses all of it: the parameters only
/// say where the tree is, and the kernel checks every block read against the root hash the policy
/// pins, so a wrong count or a changed byte fails the reads, never passes them.
/// </summary>
public sealed partial record LayerDevice(string DevicePath, long DataBlocks, long DeviceSize)
{
    public const int BlockSize = 4096;
    private const int ParametersOffset = BlockSize - 512;

    /// <summary>How long a layer's PCI device may take to appear after the host plugged it.</summary>
    private static readonly TimeSpan AppearWithin = TimeSpan.FromSeconds(5);

    public long DataSize => DataBlocks * BlockSize;

    /// <summary>The hash tree starts right after the data.</summary>
    public long HashOffset => DataSize;

    /// <summary>Kata's form of a block device's PCI path: a slot[.function] per bridge hop, e.g. 02/00 or 05.</summary>
    [GeneratedRegex("^[0-9a-f]{2}(\\.[0-7])?(/[0-9a-f]{2}(\\.[0-7])?){0,7}$")]
    private static partial Regex PciPathPattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,31}$")]
    private static partial Regex BlockNamePattern();

    /// <summary>Whether a storage source names a block device (a PCI path or a path under /dev) rather than a file.</summary>
    public static bool IsDeviceSource(string source) => PciPathPattern().IsMatch(source) || source.StartsWith("/dev/", StringComparison.Ordinal);

    /// <summary>
    /// The guest device node of a storage source: a PCI path is followed from the root bus through its
    /// bridges to the virtio block device behind it; a /dev path must name a block device the kernel lists.
    /// </summary>
    public static async Task<string> ResolveAsync(string source, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + AppearWithin;
        while (true)
        {
            var name = PciPathPattern().IsMatch(source) ? BlockNameOfPciPath(source) : BlockNameOfDevicePath(source, what);
            if (name is not null)
            {
                return "/dev/" + name;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new RuntimeException(StatusCode.NotFound, $"{what}: no block device at PCI path {source}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the tree parameters from the device's last block and checks that they fit the device.</summary>
    public static LayerDevice Open(string devicePath, string what)
    {
        var name = Path.GetFileName(devicePath);
        var sizeFile = $"/sys/class/block/{name}/size";
        if (!File.Exists(sizeFile) || !long.TryParse(File.ReadAllText(sizeFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var sectors))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {devicePath} is not a block device this kernel lists");
        }

        using var device = new FileStream(devicePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        return Read(device, devicePath, sectors * 512, what);
    }

    /// <summary>
    /// Reads the tree parameters from the last block of a tardev layer image of <paramref name="size"/> bytes
    /// (a device's whole extent) and checks that they fit it. Nothing before the last block is read.
    /// </summary>
    public static LayerDevice Read(Stream device, string devicePath, long size, string what)
    {
        if (size < 2 * BlockSize || size % BlockSize != 0)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: {devicePath} has {size} bytes, not whole 4096-byte blocks holding a layer, a hash tree and the parameter block");
        }

        var last = new byte[BlockSize];
        device.Seek(size - BlockSize, SeekOrigin.Begin);
        device.ReadExactly(last);

        var parameters = last.AsSpan(ParametersOffset);
        var dataBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(parameters);
        var hashBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(parameters[4..]);
        var dataBlocks = BinaryPrimitives.ReadUInt64LittleEndian(parameters[8..]);
        if (dataBlockSize != BlockSize || hashBlockSize != BlockSize)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: {devicePath} names {dataBlockSize}-byte data and {hashBlockSize}-byte hash blocks; layers use 4096 for both");
        }

        // The data, at least one hash block and the parameter block must fit.
        var maxDataBlocks = (ulong)(size / BlockSize) - 2;
        if (dataBlocks == 0 || dataBlocks > maxDataBlocks)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: {devicePath} names {dataBlocks} data blocks, which do not fit its {size} bytes with a hash tree");
        }

        return new LayerDevice(devicePath, (long)dataBlocks, size);
    }

    private static string? BlockNameOfPciPath(string pciPath)
    {
        var current = "/sys/devices/pci0000:00";
        var bus = "00";
        foreach (var hop in pciPath.Split('/'))
        {
            var slotFunction = hop.Contains('.', StringComparison.Ordinal) ? hop : hop + ".0";
            var next = Path.Combine(current, $"0000:{bus}:{slotFunction}");
            if (!Directory.Exists(next))
            {
                return null;
            }

            current = next;
            bus = SecondaryBus(current);
        }

        // virtio-pci device → virtioN → block → vdX
        foreach (var virtio in Directory.EnumerateDirectories(current, "virtio*"))
        {
            var block = Path.Combine(virtio, "block");
            if (Directory.Exists(block) && Directory.EnumerateDirectories(block).Select(Path.GetFileName).FirstOrDefault(n => n is not null && BlockNamePattern().IsMatch(n)) is { } name)
            {
                return File.Exists("/dev/" + name) ? name : null;
            }
        }

        return null;
    }

    /// <summary>The bus behind a bridge (its secondary_bus_number), or "00" for a device that bridges nothing.</summary>
    private static string SecondaryBus(string device)
    {
        var file = Path.Combine(device, "secondary_bus_number");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number.ToString("x2", CultureInfo.InvariantCulture)
            : "00";
    }

    private static string? BlockNameOfDevicePath(string path, string what)
    {
        var name = path["/dev/".Length..];
        if (!BlockNamePattern().IsMatch(name))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: '{path}' is not /dev/ and a block device name");
        }

        return Directory.Exists("/sys/class/block/" + name) && File.Exists(path) ? name : null;
    }
}
