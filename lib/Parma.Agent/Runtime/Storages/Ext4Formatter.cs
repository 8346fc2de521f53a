using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// Makes the ext4 file system of a block storage, with Kata's options for emptyDirs (no journal, no
/// reserved blocks, one inode per 160 KiB, 128-byte inodes) in 4 KiB blocks, the integrity-safe way: on
/// dm-integrity without a wipe, a sector never written has no valid tag and every read of it fails, and
/// mkfs reads before it writes. So the blocks it reads first are written with zeros before it runs —
/// block 0 and each superblock backup, which a dry run (`mkfs.ext4 -n`, same options) lists — with
/// direct 4 KiB writes that reach the device, not the page cache; and inode tables are written at mkfs
/// time (lazy_itable_init=0) rather than later by the kernel in the background, where unwritten tables
/// were read under parallel I/O. nodiscard: mkfs must not assume discarded blocks read back as zeros.
/// </summary>
internal static partial class Ext4Formatter
{
    public const int BlockSize = 4096;

    public const string FilesystemType = "ext4";

    /// <summary>Kata's mkfs options for block emptyDirs (BLOCK_EMPTYDIR_EXT4_MKFS_OPTS).</summary>
    public static readonly IReadOnlyList<string> KataOptions = ["-O", "^has_journal", "-m", "0", "-i", "163840", "-I", "128"];

    [GeneratedRegex(@"Superblock backups stored on blocks:\s*(\d+(?:,\s*\d+)*)")]
    private static partial Regex BackupsPattern();

    /// <summary>mkfs.ext4's arguments; <paramref name="dryRun"/> adds -n (print the layout, write nothing).</summary>
    public static string[] Arguments(string device, bool dryRun) =>
    [
        .. dryRun ? new[] { "-n" } : [],
        "-F", "-b", BlockSize.ToString(CultureInfo.InvariantCulture),
        .. KataOptions,
        "-E", "lazy_itable_init=0,nodiscard",
        device,
    ];

    /// <summary>The superblock backups (in 4 KiB blocks) that mkfs.ext4 listed; none for a file system of one block group.</summary>
    public static IReadOnlyList<long> BackupBlocks(string mkfsOutput)
    {
        var match = BackupsPattern().Match(mkfsOutput);
        return match.Success
            ? match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(n => long.Parse(n, NumberStyles.None, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    /// <summary>The blocks to zero before mkfs: block 0 and every backup, each once, in order.</summary>
    public static IReadOnlyList<long> BlocksToZero(IReadOnlyList<long> backups) => [.. backups.Prepend(0).Distinct().Order()];

    /// <summary>Dry run, zeroing, mkfs. Returns how long it all took.</summary>
    public static async Task<TimeSpan> FormatAsync(string mkfs, string device, string what, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var layout = await ExternalTool.RunAsync(mkfs, Arguments(device, dryRun: true), "mkfs.ext4 -n", cancellationToken).ConfigureAwait(false);
            var blocks = BlocksToZero(BackupBlocks(layout));
            DirectBlockWriter.WriteZeros(device, blocks, BlockSize);
            await ExternalTool.RunAsync(mkfs, Arguments(device, dryRun: false), "mkfs.ext4", cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {e.Message}");
        }

        return watch.Elapsed;
    }
}
