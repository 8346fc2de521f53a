using Parma.Testing;

namespace Parma.Vm.Tests;

/// <summary>The writable disks a host attaches for block emptyDirs, made and inspected on the host side.</summary>
public static class ScratchDisks
{
    private const int BlockSize = 4096;

    /// <summary>The magic that starts a LUKS2 header (the volume key's keyslots follow it).</summary>
    public static readonly byte[] LuksMagic = [(byte)'L', (byte)'U', (byte)'K', (byte)'S', 0xBA, 0xBE];

    /// <summary>The magic of the LUKS2 header's secondary copy.</summary>
    public static readonly byte[] LuksSecondaryMagic = [(byte)'S', (byte)'K', (byte)'U', (byte)'L', 0xBA, 0xBE];

    /// <summary>A sparse, all-zero disk of <paramref name="size"/> bytes, as the kata shim makes for a block emptyDir.</summary>
    public static async Task CreateEmptyAsync(string path, long size)
    {
        await using var file = File.Create(path);
        file.SetLength(size);
    }

    /// <summary>A disk with an unencrypted ext4 the host made itself.</summary>
    public static async Task CreateExt4Async(string path, long size)
    {
        await CreateEmptyAsync(path, size);
        var mke2fs = ProcessRunner.Find("mke2fs") ?? throw new InvalidOperationException("mke2fs is not installed (scripts/setup.sh installs e2fsprogs)");
        (await ProcessRunner.RunAsync(mke2fs, ["-q", "-F", "-t", "ext4", "-b", "4096", path])).EnsureSuccess("mke2fs");
    }

    public static bool Contains(byte[] disk, byte[] pattern) => disk.AsSpan().IndexOf(pattern) >= 0;

    /// <summary>How many 4 KiB blocks hold anything but zeros.</summary>
    public static int NonZeroBlocks(byte[] disk)
    {
        var count = 0;
        for (var offset = 0; offset + BlockSize <= disk.Length; offset += BlockSize)
        {
            if (disk.AsSpan(offset, BlockSize).ContainsAnyExcept((byte)0))
            {
                count++;
            }
        }

        return count;
    }
}
