using System.CommandLine;
using Parma.Oci.Layers;
using Parma.Oci.Model;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;

namespace Parma.Cli.Commands;

/// <summary><c>parma image inspect REF</c>: digest, platform, config summary and layers with root hashes.</summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF")
        {
            Description = "A registry reference (busybox, host:5000/app@sha256:…), oci:PATH[:TAG], oci-archive:PATH[:TAG] or docker-archive:PATH[:REF].",
        };
        var platform = new Option<string>("--platform") { Description = "Platform to pick from a multi-arch index.", DefaultValueFactory = _ => "linux/amd64" };
        var format = ImageCommandSupport.FormatOption();
        var output = ImageCommandSupport.OutputOption();
        var noHashes = new Option<bool>("--no-hashes") { Description = "Do not download layers or compute root hashes." };
        var insecure = new Option<string[]>("--insecure-registry")
        {
            Description = "A registry host[:port] to reach over plain HTTP (repeatable). No other host is.",
            AllowMultipleArgumentsPerToken = false,
        };
        var dockerConfig = new Option<string?>("--docker-config") { Description = "Path of a Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json)." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Layer hash cache directory (default: ~/.cache/parma/layers)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the layer hash cache." };

        var inspect = new Command("inspect", "Resolve an image and print its digest, platform, config and layers (with dm-verity root hashes).");
        inspect.Arguments.Add(reference);
        foreach (var option in new Option[] { platform, format, output, noHashes, insecure, dockerConfig, cacheDir, noCache })
        {
            inspect.Options.Add(option);
        }

        inspect.SetAction((parse, cancellationToken) => ImageCommandSupport.RunAsync(parse, async writer =>
        {
            var json = ImageCommandSupport.IsJson(parse.GetValue(output));
            var options = new ResolveOptions
            {
                Platform = Platform.Parse(parse.GetValue(platform)!),
                HashFormat = ImageCommandSupport.ParseFormat(parse.GetValue(format)),
                ComputeLayerHashes = !parse.GetValue(noHashes),
            };
            var registryOptions = new RegistryClientOptions
            {
                InsecureRegistries = parse.GetValue(insecure) ?? [],
                Credentials = DockerConfigCredentials.Load(parse.GetValue(dockerConfig)),
            };
            var cache = parse.GetValue(noCache) ? null : new LayerCache(parse.GetValue(cacheDir) ?? LayerCache.DefaultDirectory);
            ResolvedImage image;
            using (var progress = TerminalProgress.ForStandardError(parse))
            {
                using var resolver = new ImageResolver(registryOptions, cache) { Progress = progress };
                image = await resolver.ResolveAsync(parse.GetValue(reference)!, options, cancellationToken);
            }

            if (json)
            {
                await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(ImageInspectView.From(image), ImageCommandSupport.Json));
            }
            else
            {
                await ImageInspectView.WriteTextAsync(writer, image);
            }
        }));

        var command = new Command("image", "Container images.");
        command.Subcommands.Add(inspect);
        return command;
    }
}
