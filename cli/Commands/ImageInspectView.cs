using Parma.Oci.Layers;
using Parma.Oci.Resolution;

namespace Parma.Cli.Commands;

/// <summary>The JSON and text shapes of <c>parma image inspect</c>.</summary>
internal sealed record ImageInspectView(
    string Reference,
    string Digest,
    string? IndexDigest,
    string MediaType,
    string Platform,
    string ConfigDigest,
    ImageInspectView.ConfigView Config,
    IReadOnlyList<ImageInspectView.LayerView> Layers)
{
    public static ImageInspectView From(ResolvedImage image) => new(
        image.Reference,
        image.ManifestDigest.ToString(),
        image.IndexDigest?.ToString(),
        image.MediaType,
        image.Platform.ToString(),
        image.ConfigDigest.ToString(),
        new ConfigView(image.Config.Entrypoint, image.Config.Cmd, image.Config.Env, image.Config.WorkingDir, image.Config.User,
            image.Config.Volumes, image.Config.ChainIds),
        image.Layers.Select(l => new LayerView(l.Digest.ToString(), l.MediaType, l.Size, l.DiffId, l.RootHash,
            l.HashFormat switch { LayerHashFormat.Tarfs => "tarfs", LayerHashFormat.Raw => "raw", _ => null })).ToList());

    public static async Task WriteTextAsync(TextWriter writer, ResolvedImage image)
    {
        await writer.WriteLineAsync($"Reference:   {image.Reference}");
        await writer.WriteLineAsync($"Digest:      {image.ManifestDigest}");
        if (image.IndexDigest is not null)
        {
            await writer.WriteLineAsync($"Index:       {image.IndexDigest}");
        }

        await writer.WriteLineAsync($"Platform:    {image.Platform}");
        await writer.WriteLineAsync($"Config:      {image.ConfigDigest}");
        await writer.WriteLineAsync($"Entrypoint:  {Quote(image.Config.Entrypoint)}");
        await writer.WriteLineAsync($"Cmd:         {Quote(image.Config.Cmd)}");
        await writer.WriteLineAsync($"WorkingDir:  {image.Config.WorkingDir}");
        await writer.WriteLineAsync($"User:        {image.Config.User}");
        await writer.WriteLineAsync($"Volumes:     {string.Join(", ", image.Config.Volumes)}");
        await writer.WriteLineAsync("Env:");
        foreach (var env in image.Config.Env)
        {
            await writer.WriteLineAsync($"  {env}");
        }

        await writer.WriteLineAsync($"Layers ({image.Layers.Count}, bottom first):");
        for (var i = 0; i < image.Layers.Count; i++)
        {
            var layer = image.Layers[i];
            await writer.WriteLineAsync($"  [{i}] {layer.Digest}  {layer.Size} bytes  {layer.MediaType}");
            await writer.WriteLineAsync($"      diff_id:   {layer.DiffId}");
            if (layer.RootHash is not null)
            {
                await writer.WriteLineAsync($"      root hash: {layer.RootHash} ({(layer.HashFormat == LayerHashFormat.Raw ? "raw" : "tarfs")})");
            }
        }
    }

    private static string Quote(IReadOnlyList<string> values) => "[" + string.Join(", ", values.Select(v => $"\"{v}\"")) + "]";

    public sealed record ConfigView(
        IReadOnlyList<string> Entrypoint,
        IReadOnlyList<string> Cmd,
        IReadOnlyList<string> Env,
        string WorkingDir,
        string User,
        IReadOnlyList<string> Volumes,
        IReadOnlyList<string> ChainIds);

    public sealed record LayerView(string Digest, string MediaType, long Size, string DiffId, string? RootHash, string? Format);
}
