using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Parma.Cli.Tests;

public class LayerCommandTests
{
    [Fact]
    public async Task Layer_hash_gives_the_same_root_for_tar_and_tar_gz()
    {
        var dir = Directory.CreateTempSubdirectory("parma-cli-layer-");
        try
        {
            var tar = Path.Combine(dir.FullName, "layer.tar");
            await using (var stream = File.Create(tar))
            await using (var writer = new TarWriter(stream, TarEntryFormat.Gnu))
            {
                await writer.WriteEntryAsync(new GnuTarEntry(TarEntryType.RegularFile, "hello") { DataStream = new MemoryStream("hi"u8.ToArray()) });
            }

            var gz = tar + ".gz";
            await using (var input = File.OpenRead(tar))
            await using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            {
                await input.CopyToAsync(output);
            }

            var plain = await CliRunner.RunAsync("layer", "hash", tar, "--output", "json");
            var compressed = await CliRunner.RunAsync("layer", "hash", gz);
            var raw = await CliRunner.RunAsync("layer", "hash", tar, "--format", "raw");

            plain.ExitCode.Should().Be(0, plain.StandardError);
            using var json = JsonDocument.Parse(plain.StandardOutput);
            var root = json.RootElement.GetProperty("rootHash").GetString();
            root.Should().MatchRegex("^[0-9a-f]{64}$");
            json.RootElement.GetProperty("format").GetString().Should().Be("tarfs");
            compressed.StandardOutput.Trim().Should().Be(root);
            raw.StandardOutput.Trim().Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(root);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Unknown_format_is_a_clear_error()
    {
        var result = await CliRunner.RunAsync("layer", "hash", "/tmp", "--format", "squashfs");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("squashfs");
    }
}
