using System.CommandLine;
using Parma.Oci.Verity;

namespace Parma.Cli.Commands;

/// <summary><c>parma verity hash FILE</c>: the dm-verity root hash of a file, as veritysetup computes it.</summary>
internal static class VerityCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The data file (zero-padded to a multiple of 4096 for hashing)." };
        var output = ImageCommandSupport.OutputOption();
        var hash = new Command("hash",
            "Print the dm-verity root hash of FILE: SHA-256, 4096-byte blocks, zero salt, format 1, no superblock " +
            "(equal to veritysetup format --no-superblock on the padded file).");
        hash.Arguments.Add(file);
        hash.Options.Add(output);
        hash.SetAction((parse, cancellationToken) => ImageCommandSupport.RunAsync(parse, async writer =>
        {
            var json = ImageCommandSupport.IsJson(parse.GetValue(output));
            var root = await VerityHasher.HashFileAsync(parse.GetValue(file)!, cancellationToken: cancellationToken);
            if (json)
            {
                await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(
                    new { rootHash = root.Hex, dataSize = root.DataSize, paddedSize = root.PaddedDataSize, hashAlgorithm = "sha256", dataBlockSize = 4096, hashBlockSize = 4096, salt = new string('0', 64) },
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
