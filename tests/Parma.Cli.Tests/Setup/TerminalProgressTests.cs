using Parma.Testing;

namespace Parma.Cli.Tests.Setup;

/// <summary>Image resolution shows progress on a terminal and nowhere else.</summary>
public sealed class TerminalProgressTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("parma-progress-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private string[] Inspect => ["image", "inspect", $"oci:{RepoPaths.InRepo("examples", "images")}:registry.example/parma/hello:1.0", "--cache-dir", _cache];

    [Fact]
    public async Task On_a_terminal_layer_progress_is_drawn_and_erased()
    {
        // script(1) runs the command on a pseudo-terminal, as an interactive shell would.
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "parma.dll") }.Concat(Inspect).Select(Quote));
        var result = await ProcessRunner.RunAsync(ProcessRunner.Require("script"), ["-q", "-e", "-c", command, "/dev/null"]);

        result.ExitCode.Should().Be(0, result.StandardOutput);
        result.StandardOutput.Should().Contain("\r\u001b[Kresolving oci:").And.Contain("layer 1/2").And.Contain("layer 2/2")
            .And.Contain("\r\u001b[K", "the status line is erased before the result is printed");
        result.StandardOutput.Should().Contain("sha256:", "the result follows");
    }

    [Fact]
    public async Task In_a_pipe_there_is_no_progress()
    {
        var result = await CliRunner.RunAsync(Inspect);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardError.Should().BeEmpty();
        result.StandardOutput.Should().NotContain("\u001b[").And.NotContain("resolving");
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
