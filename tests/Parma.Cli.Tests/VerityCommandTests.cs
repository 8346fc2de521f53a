using System.Text.RegularExpressions;
using Parma.Testing;

namespace Parma.Cli.Tests;

public class VerityCommandTests
{
    [Fact]
    public async Task Verity_hash_prints_the_same_root_hash_as_veritysetup()
    {
        var dir = Directory.CreateTempSubdirectory("parma-cli-verity-");
        try
        {
            var data = Path.Combine(dir.FullName, "data");
            var bytes = new byte[4096 * 130];
            new Random(3).NextBytes(bytes);
            await File.WriteAllBytesAsync(data, bytes);

            var result = await CliRunner.RunAsync("verity", "hash", data);
            var reference = await ProcessRunner.RunAsync(ProcessRunner.Require("veritysetup"),
            [
                "format", "--no-superblock", "--hash", "sha256", "--data-block-size", "4096", "--hash-block-size", "4096",
                "--salt", new string('0', 64), data, Path.Combine(dir.FullName, "hash"),
            ]);

            result.ExitCode.Should().Be(0, result.StandardError);
            var expected = Regex.Match(reference.EnsureSuccess("veritysetup").StandardOutput, @"Root hash:\s+([0-9a-f]{64})").Groups[1].Value;
            result.StandardOutput.Trim().Should().Be(expected);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Verity_hash_help_names_the_salt_and_its_veritysetup_recipe_gives_the_same_hash()
    {
        var dir = Directory.CreateTempSubdirectory("parma-cli-verity-help-");
        try
        {
            var data = Path.Combine(dir.FullName, "layer.bin");
            var bytes = new byte[(4096 * 9) + 1234];
            new Random(7).NextBytes(bytes);
            await File.WriteAllBytesAsync(data, bytes);

            var help = await CliRunner.RunAsync("verity", "hash", "--help");
            help.ExitCode.Should().Be(0);
            help.StandardOutput.Should().Contain("salt").And.Contain(new string('0', 64)).And.Contain("32 zero bytes");

            // Run the recipe exactly as the help prints it, with FILE replaced by our file.
            var recipe = help.StandardOutput.Split('\n').Select(l => l.Trim())
                .Where(l => l.StartsWith("cp FILE ", StringComparison.Ordinal) || l.StartsWith("veritysetup format ", StringComparison.Ordinal)).ToList();
            recipe.Should().HaveCount(2, help.StandardOutput);
            var script = string.Join('\n', recipe).Replace("FILE", data, StringComparison.Ordinal);
            var reference = await ProcessRunner.RunAsync("bash", ["-euc", $"PATH=$PATH:/usr/sbin:/sbin\n{script}"], workingDirectory: dir.FullName);

            var expected = Regex.Match(reference.EnsureSuccess("the help's veritysetup recipe").StandardOutput, @"Root hash:\s+([0-9a-f]{64})").Groups[1].Value;
            var result = await CliRunner.RunAsync("verity", "hash", data);
            result.ExitCode.Should().Be(0, result.StandardError);
            result.StandardOutput.Trim().Should().Be(expected).And.NotBeEmpty();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Verity_hash_of_a_missing_file_is_a_clear_error()
    {
        var result = await CliRunner.RunAsync("verity", "hash", "/no/such/file");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("/no/such/file").And.NotContain("   at ");
    }
}
