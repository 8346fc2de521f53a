using System.Formats.Tar;
using System.Text.Json;
using Parma.Testing.Registry;

namespace Parma.Cli.Tests;

public class ImageCommandTests
{
    [Fact]
    public async Task Image_inspect_reads_an_oci_layout_and_prints_json()
    {
        var dir = Directory.CreateTempSubdirectory("parma-cli-image-");
        try
        {
            using var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
            {
                writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "bin/app") { DataStream = new MemoryStream("app"u8.ToArray()) });
            }

            var layout = new OciLayoutBuilder();
            layout.AddImage(new OciTestImage { Layers = [tar.ToArray()], Entrypoint = ["/bin/app"], WorkingDir = "/work" }, tag: "v1");
            layout.WriteTo(Path.Combine(dir.FullName, "layout"));

            var result = await CliRunner.RunAsync("image", "inspect", $"oci:{Path.Combine(dir.FullName, "layout")}:v1", "--output", "json", "--no-cache");

            result.ExitCode.Should().Be(0, result.StandardError);
            using var json = JsonDocument.Parse(result.StandardOutput);
            json.RootElement.GetProperty("digest").GetString().Should().StartWith("sha256:");
            json.RootElement.GetProperty("platform").GetString().Should().Be("linux/amd64");
            json.RootElement.GetProperty("config").GetProperty("workingDir").GetString().Should().Be("/work");
            var layer = json.RootElement.GetProperty("layers")[0];
            layer.GetProperty("rootHash").GetString().Should().MatchRegex("^[0-9a-f]{64}$");
            layer.GetProperty("diffId").GetString().Should().StartWith("sha256:");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Image_inspect_of_a_bad_reference_is_a_clear_error()
    {
        var result = await CliRunner.RunAsync("image", "inspect", "Not/A:Valid:Ref", "--no-cache");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().StartWith("error:").And.NotContain("   at ");
    }
}
