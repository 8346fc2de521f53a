using System.Globalization;
using System.Text.RegularExpressions;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The parts of an encrypted storage that run without device-mapper: the cryptsetup command lines, the
/// ephemeral key, the ext4 layout and the blocks zeroed before mkfs (against a real mke2fs on a file),
/// the direct writes, fs_group ownership and SCSI addresses. The whole path runs in the test VM
/// (tests/Parma.Vm.Tests).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class EncryptedStorageToolsTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-encrypted-storage-").FullName;

    [Fact]
    public void cryptsetup_formats_LUKS2_with_integrity_a_detached_header_and_a_cheap_PBKDF_reading_the_key_from_standard_input()
    {
        string.Join(' ', CryptsetupCommands.Format("/dev/vdb", "/run/parma-agent/.luks/s.luks")).Should().Be(
            "--batch-mode luksFormat --type luks2 --cipher aes-xts-plain64 --integrity hmac-sha256 --integrity-no-wipe --sector-size 4096 " +
            "--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --header /run/parma-agent/.luks/s.luks --key-file - /dev/vdb");
        string.Join(' ', CryptsetupCommands.Open("/dev/vdb", "/run/parma-agent/.luks/s.luks", "parma-storage-1")).Should().Be(
            "open --type luks2 --header /run/parma-agent/.luks/s.luks --key-file - --integrity-no-journal /dev/vdb parma-storage-1");
        CryptsetupCommands.Close("parma-storage-1").Should().Equal("close", "parma-storage-1");
    }

    [Fact]
    public void The_ephemeral_key_is_4096_random_bytes_that_are_zeroed_on_dispose()
    {
        var key = EphemeralKey.Create();
        var other = EphemeralKey.Create();
        key.Bytes.Should().HaveCount(4096);
        key.IsWiped.Should().BeFalse();
        key.Bytes.Should().NotEqual(other.Bytes, "each storage gets its own key");
        key.Dispose();
        other.Dispose();
        key.IsWiped.Should().BeTrue();
        var use = () => key.Bytes;
        use.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void mkfs_runs_with_Katas_options_in_4_KiB_blocks_with_inode_tables_written_at_once()
    {
        string.Join(' ', Ext4Formatter.Arguments("/dev/mapper/s", dryRun: false)).Should().Be(
            "-F -b 4096 -O ^has_journal -m 0 -i 163840 -I 128 -E lazy_itable_init=0,nodiscard /dev/mapper/s");
        Ext4Formatter.Arguments("/dev/mapper/s", dryRun: true)[0].Should().Be("-n");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(3 * 1024)]
    public async Task The_blocks_zeroed_before_mkfs_are_block_0_and_every_superblock_backup_mkfs_then_writes(int megabytes)
    {
        var mkfs = ProcessRunner.Find("mkfs.ext4") ?? throw new InvalidOperationException("mkfs.ext4 is not installed (scripts/setup.sh installs e2fsprogs)");
        var image = Path.Combine(_work, "disk.img");
        await using (var file = File.Create(image))
        {
            file.SetLength((long)megabytes << 20);
        }

        var dryRun = await ProcessRunner.RunAsync(mkfs, Ext4Formatter.Arguments(image, dryRun: true));
        dryRun.EnsureSuccess("mkfs.ext4 -n");
        var planned = Ext4Formatter.BlocksToZero(Ext4Formatter.BackupBlocks(dryRun.StandardOutput));
        new FileInfo(image).Length.Should().Be((long)megabytes << 20);
        (await ProcessRunner.RunAsync("stat", ["-c", "%b", image])).StandardOutput.Trim().Should().Be("0", "the dry run writes nothing (the sparse file has no block allocated)");

        (await ProcessRunner.RunAsync(mkfs, Ext4Formatter.Arguments(image, dryRun: false))).EnsureSuccess("mkfs.ext4");
        var dumpe2fs = await ProcessRunner.RunAsync(ProcessRunner.Find("dumpe2fs")!, [image]);
        dumpe2fs.EnsureSuccess("dumpe2fs");
        var superblocks = SuperblockLines().Matches(dumpe2fs.StandardOutput).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        superblocks.Should().Contain(0, "the primary superblock lives in block 0");
        planned.Should().Equal(superblocks.Order(), "exactly the blocks that hold a superblock after mkfs");
        dumpe2fs.StandardOutput.Should().Contain("Block size:               4096").And.NotContain("has_journal").And.Contain("Inode size:\t          128");
        if (megabytes > 128)
        {
            planned.Count.Should().BeGreaterThan(1, "a file system of more than one block group keeps backups");
        }
    }

    [Fact]
    public void The_layout_is_read_from_mkfs_output()
    {
        const string output = """
            mke2fs 1.47.0 (5-Feb-2023)
            Creating filesystem with 786432 4k blocks and 19712 inodes
            Superblock backups stored on blocks:
            	32768, 98304, 163840, 229376, 294912

            """;
        Ext4Formatter.BackupBlocks(output).Should().Equal(32768, 98304, 163840, 229376, 294912);
        Ext4Formatter.BlocksToZero(Ext4Formatter.BackupBlocks(output)).Should().Equal(0, 32768, 98304, 163840, 229376, 294912);
        Ext4Formatter.BackupBlocks("Creating filesystem with 4096 4k blocks and 64 inodes\n").Should().BeEmpty();
        Ext4Formatter.BlocksToZero([]).Should().Equal(0);
    }

    [Fact]
    public void Direct_writes_zero_exactly_the_blocks_named()
    {
        var image = Path.Combine(_work, "blocks.img");
        File.WriteAllBytes(image, Enumerable.Repeat((byte)0xff, 8 * 4096).ToArray());

        DirectBlockWriter.WriteZeros(image, [0, 3, 7], 4096);

        var bytes = File.ReadAllBytes(image);
        for (var block = 0; block < 8; block++)
        {
            var expected = block is 0 or 3 or 7 ? (byte)0 : (byte)0xff;
            bytes.AsSpan(block * 4096, 4096).ToArray().Should().OnlyContain(b => b == expected, $"block {block}");
        }

        var missing = () => DirectBlockWriter.WriteZeros(Path.Combine(_work, "absent.img"), [0], 4096);
        missing.Should().Throw<IOException>().WithMessage("open (O_DIRECT) *absent.img failed: *");
    }

    [Fact]
    public async Task fs_group_gives_every_file_the_group_and_directories_set_group_id_leaving_links_alone()
    {
        var root = Directory.CreateDirectory(Path.Combine(_work, "volume")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "lost+found"));
        File.SetUnixFileMode(Path.Combine(root, "lost+found"), (UnixFileMode)0x1c0);
        File.WriteAllText(Path.Combine(root, "lost+found", "f"), "x");
        File.SetUnixFileMode(Path.Combine(root, "lost+found", "f"), (UnixFileMode)0x1a4);
        var outside = Path.Combine(_work, "outside");
        File.WriteAllText(outside, "y");
        File.SetUnixFileMode(outside, UnixFileMode.UserRead);
        File.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        File.SetUnixFileMode(root, (UnixFileMode)0x1c0);
        var outsideBefore = await Stat(outside);

        FsGroupOwnership.Apply(root, 4242, readOnly: false);

        (await Stat(root)).Should().Be("4242 2770");
        (await Stat(Path.Combine(root, "lost+found"))).Should().Be("4242 2770");
        (await Stat(Path.Combine(root, "lost+found", "f"))).Should().Be("4242 664");
        (await Stat(outside)).Should().Be(outsideBefore, "a link's target, outside the volume, is not touched").And.EndWith(" 400");
    }

    [Fact]
    public async Task A_SCSI_storage_is_found_at_its_address_after_a_scan_and_a_bad_address_is_refused()
    {
        var sys = Path.Combine(_work, "sys");
        var dev = Directory.CreateDirectory(Path.Combine(_work, "dev")).FullName;
        var host = Directory.CreateDirectory(Path.Combine(sys, "class", "scsi_host", "host0")).FullName;
        File.WriteAllText(Path.Combine(host, "scan"), string.Empty);
        Directory.CreateDirectory(Path.Combine(sys, "bus", "scsi", "devices", "0:0:2:1", "block", "sdc"));
        File.WriteAllText(Path.Combine(dev, "sdc"), string.Empty);

        (await ScsiDevice.ResolveAsync("2:1", "storages[0]", CancellationToken.None, sys, dev)).Should().Be(Path.Combine(dev, "sdc"));
        File.ReadAllText(Path.Combine(host, "scan")).Should().Be("0 2 1");

        var bad = () => ScsiDevice.ResolveAsync("0:0:2:1", "storages[0]", CancellationToken.None, sys, dev);
        (await bad.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
        var traversal = () => ScsiDevice.ResolveAsync("../2:1", "storages[0]", CancellationToken.None, sys, dev);
        (await traversal.Should().ThrowAsync<RuntimeException>()).Which.Message.Should().Contain("is not a SCSI address");
    }

    [Fact]
    public async Task The_agent_does_not_encrypt_when_the_header_would_not_be_in_guest_memory()
    {
        // This machine's temporary directory is on a disk, as a UVM's state directory must never be.
        var create = () => EncryptedDevice.CreateAsync("/bin/false", "/dev/null", Path.Combine(_work, "headers"), "storages[0]", CancellationToken.None);
        var refused = (await create.Should().ThrowAsync<RuntimeException>()).Which;
        refused.Code.Should().Be(StatusCode.FailedPrecondition);
        refused.Message.Should().Contain("is not in guest memory (tmpfs or ramfs)");
    }

    /// <summary>Group id and octal mode, as stat(1) prints them.</summary>
    private static async Task<string> Stat(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%g %a", path]);
        stat.EnsureSuccess("stat");
        return stat.StandardOutput.Trim();
    }

    [GeneratedRegex(@"(?:Primary|Backup) superblock at (\d+),")]
    private static partial Regex SuperblockLines();

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
