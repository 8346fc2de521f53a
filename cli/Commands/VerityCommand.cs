using System.CommandLine;
using Parma.Oci.Verity;

namespace Parma.Cli.Commands;

/// <summary><c>parma verity hash FILE</c>: the dm-verity root hash of a file, as veritysetup computes it.</summary>
internal static class VerityCommand
{
    /// <summary>The salt every Parma root hash uses: 32 zero bytes (the policy pins layers with it).</summary>
    public static readonly string SaltHex = new('0', 64);

    // The help says exactly what is hashed and the veritysetup command that gives the same root hash; a test runs that command.
    private static readonly string Description = $"""
        Print the dm-verity root hash of FILE, computed as the policy pins layers: hash SHA-256, 4096-byte data and
        hash blocks, hash format 1 (the salt is hashed before each block), no superblock, and the salt
        {SaltHex}
        (32 zero bytes: a fixed salt, so that anyone can recompute the hash from the image alone).
        FILE is read as if zero-padded to a multiple of 4096 bytes. To reproduce it with veritysetup:
          cp FILE data.img && truncate -s %4096 data.img
          veritysetup format --no-superblock --format 1 --hash sha256 --data-block-size 4096 --hash-block-size 4096 --salt {SaltHex} data.img hash.img
        and compare its "Root hash:" line with this command's output.
        """;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The data file (zero-padded to a multiple of 4096 for hashing)." };
        var output = ImageCommandSupport.OutputOption();
        var hash = new Command("hash", Description);
        hash.Arguments.Add(file);
        hash.Options.Add(output);
        hash.SetAction((parse, cancellationToken) => ImageCommandSupport.RunAsync(parse, async writer =>
        {
            var json = ImageCommandSupport.IsJson(parse.GetValue(output));
            var root = await VerityHasher.HashFileAsync(parse.GetValue(file)!, cancellationToken: cancellationToken);
            if (json)
            {
                await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(
                    new { rootHash = root.Hex, dataSize = root.DataSize, paddedSize = root.PaddedDataSize, hashAlgorithm = "sha256", dataBlockSize = 4096, hashBlockSize = 4096, salt = SaltHex },
                    ImageCommandSupport.Json));
            }
            else
            {
                await writer.WriteLineAsync(root.Hex);
            }
        }));

        var command = new Command("verity", "dm-verity root hashes.");
        command.Subcommands.Add(hash);
        return command;
    }
}
