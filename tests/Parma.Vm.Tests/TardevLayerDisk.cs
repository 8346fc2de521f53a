using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Parma.Testing;

namespace Parma.Vm.Tests;

/// <summary>
/// Writes a layer's block-device image the way Kata's tardev snapshotter lays it out on the host: the
/// layer image (tar + tarfs index) padded to 4096-byte blocks, its dm-verity hash tree (computed here
/// on the host by veritysetup, which is much faster than in an emulated guest), and a last block whose
/// final 512 bytes start with the tree's parameters (data and hash block size, data block count).
/// </summary>
public static partial class TardevLayerDisk
{
    private const int BlockSize = 4096;

    [GeneratedRegex("Root hash:\\s+([0-9a-f]{64})")]
    private static partial Regex RootHashLine();

    /// <summary>Writes the disk to <paramref name="path"/> and returns the root hash veritysetup computed for the layer image.</summary>
    public static async Task<string> WriteAsync(byte[] tardevImage, string path)
    {
        var dataBlocks = (tardevImage.Length + BlockSize - 1) / BlockSize;
        var dataSize = (long)dataBlocks * BlockSize;
        await using (var file = File.Create(path))
        {
            await file.WriteAsync(tardevImage);
            file.SetLength(dataSize);
        }

        var format = await ProcessRunner.RunAsync(
            ProcessRunner.Find("veritysetup") ?? throw new InvalidOperationException("veritysetup is not installed (scripts/setup.sh installs cryptsetup-bin)"),
            ["format", "--no-superblock", "--hash", "sha256", "--data-block-size", "4096", "--hash-block-size", "4096", "--salt", new string('0', 64),
             "--data-blocks", dataBlocks.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--hash-offset", dataSize.ToString(System.Globalization.CultureInfo.InvariantCulture), path, path]);
        format.EnsureSuccess("veritysetup format");
        var rootHash = RootHashLine().Match(format.StandardOutput) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"veritysetup format printed no root hash: {format.StandardOutput}");

        await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var treeEnd = (file.Length + BlockSize - 1) / BlockSize * BlockSize;
            var parameters = new byte[BlockSize];
            BinaryPrimitives.WriteUInt32LittleEndian(parameters.AsSpan(BlockSize - 512), BlockSize);
            BinaryPrimitives.WriteUInt32LittleEndian(parameters.AsSpan(BlockSize - 508), BlockSize);
            BinaryPrimitives.WriteUInt64LittleEndian(parameters.AsSpan(BlockSize - 504), (ulong)dataBlocks);
            file.SetLength(treeEnd);
            file.Seek(treeEnd, SeekOrigin.Begin);
            await file.WriteAsync(parameters);
        }

        return rootHash;
    }
}
