using System.CommandLine;
using Parma.Oci.Layers;

namespace Parma.Cli.Commands;

/// <summary><c>parma layer hash LAYER.tar[.gz] [--format tarfs|raw]</c>.</summary>
internal static class LayerCommand
{
    public static Command Create()
    {
        var layer = new Argument<string>("LAYER") { Description = "A layer tar: plain, gzip- or zstd-compressed (detected from its first bytes)." };
        var format = ImageCommandSupport.FormatOption();
        var output = ImageCommandSupport.OutputOption();
        var hash = new Command("hash", "Print the dm-verity root hash of a layer's tardev image (or raw tar), as the policy pins it.");
        hash.Arguments.Add(layer);
        hash.Options.Add(format);
        hash.Options.Add(output);
        hash.SetAction((parse, cancellationToken) => ImageCommandSupport.RunAsync(parse, async writer =>
        {
            var hashFormat = ImageCommandSupport.ParseFormat(parse.GetValue(format));
            var json = ImageCommandSupport.IsJson(parse.GetValue(output));
            var result = await TarfsLayerHasher.HashFileAsync(parse.GetValue(layer)!, hashFormat, cancellationToken);
            if (json)
            {
                await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new
                {
                    rootHash = result.RootHash,
                    format = hashFormat == LayerHashFormat.Tarfs ? "tarfs" : "raw",
                    diffId = result.DiffId.ToString(),
                    tarSize = result.TarSize,
                    imageSize = result.ImageSize,
                }, ImageCommandSupport.Json));
            }
            else
            {
                await writer.WriteLineAsync(result.RootHash);
            }
        }));

        var command = new Command("layer", "Image layers.");
        command.Subcommands.Add(hash);
        return command;
    }
}
