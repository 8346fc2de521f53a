using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// Volume requests for a mount the host names by its guest path. GetVolumeStats answers statfs(2)
/// as kata-agent does: bytes (total, free, used) and inodes, condition "OK". ResizeVolume (which
/// kata-agent leaves unimplemented) grows the ext2/3/4 file system mounted there to fill its device,
/// which the host has grown, with resize2fs (online resize needs CAP_SYS_RESOURCE); a device smaller
/// than the size asked for is refused.
/// </summary>
internal static partial class Volumes
{
    private const int StatfsSize = 120;

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsNative(string path, byte[] buffer);

    public static VolumeStatsResponse Stats(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new RuntimeException(StatusCode.NotFound, $"{path} does not exist");
        }

        var buffer = new byte[StatfsSize];
        if (StatfsNative(path, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new RuntimeException(StatusCode.Internal, $"statfs {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        // struct statfs on 64-bit Linux: f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree (8 bytes each).
        ulong Field(int index) => BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(index * 8));
        var blockSize = Field(1);
        var total = Field(2) * blockSize;
        var free = Field(3) * blockSize;
        var inodes = Field(5);
        var freeInodes = Field(6);
        return new VolumeStatsResponse
        {
            Usage =
            {
                new VolumeUsage { Total = total, Available = free, Used = total - free, Unit = VolumeUsage.Types.Unit.Bytes },
                new VolumeUsage { Total = inodes, Available = freeInodes, Used = inodes - freeInodes, Unit = VolumeUsage.Types.Unit.Inodes },
            },
            VolumeCondition = new VolumeCondition { Abnormal = false, Message = "OK" },
        };
    }

    public static async Task ResizeAsync(string path, ulong size, string sysfsRoot, CancellationToken cancellationToken)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var mount = MountEntry.Current().LastOrDefault(m => m.MountPoint == full)
            ?? throw new RuntimeException(StatusCode.NotFound, $"nothing is mounted at {path}");
        if (mount.FileSystemType is not ("ext2" or "ext3" or "ext4"))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{path} holds {mount.FileSystemType}; only ext2/3/4 volumes are resized");
        }

        var sectors = Path.Combine(sysfsRoot, "dev", "block", mount.Device, "size");
        var deviceBytes = File.Exists(sectors) && ulong.TryParse(File.ReadAllText(sectors).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count * 512 : 0;
        if (size > 0 && deviceBytes > 0 && deviceBytes < size)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{mount.Source} holds {deviceBytes} bytes, fewer than the {size} asked for");
        }

        var tool = MountSupport.FindOnPath("resize2fs") ?? throw new RuntimeException(StatusCode.FailedPrecondition, "resize2fs is not installed");
        try
        {
            await ExternalTool.RunAsync(tool, [mount.Source], $"resize2fs {mount.Source}", cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.Internal, e.Message);
        }
    }
}
