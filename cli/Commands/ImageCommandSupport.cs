using System.CommandLine;
using System.Text.Json;
using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Registry;

namespace Parma.Cli.Commands;

/// <summary>Shared pieces of the image, layer and verity commands: options and turning failures into messages.</summary>
internal static class ImageCommandSupport
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static Option<string> OutputOption() => ChoiceOption.Create("--output", "Output format.", ["text", "json"], "text", "-o");

    public static Option<string> FormatOption() => ChoiceOption.Create("--format",
        "Layer image format for the root hash: tarfs (Kata tardev: tar + tarfs index; tardev is the same) or raw (tar padded to 4096).",
        ["tarfs", "tardev", "raw"], "tarfs");

    public static LayerHashFormat ParseFormat(string? value) => value?.ToLowerInvariant() switch
    {
        "tarfs" or "tardev" => LayerHashFormat.Tarfs,
        "raw" => LayerHashFormat.Raw,
        _ => throw new ArgumentException($"Unknown --format '{value}'; use tarfs or raw."),
    };

    public static bool IsJson(string? output) => output?.ToLowerInvariant() switch
    {
        "json" => true,
        "text" or null => false,
        _ => throw new ArgumentException($"Unknown --output '{output}'; use text or json."),
    };

    /// <summary>Runs a command body, printing expected failures as one-line errors (exit 1) instead of stack traces.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<TextWriter, Task> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await body(output);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException or NotSupportedException or RegistryException or DigestMismatchException or KeyNotFoundException
            or InvalidOperationException or UnauthorizedAccessException or IOException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
