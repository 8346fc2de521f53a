using Parma.Testing;
using Parma.Testing.Docs;

namespace Parma.Cli.Tests.Docs;

/// <summary>
/// Shell blocks of the docs, run as a reader would paste them (bash, the published parma on PATH, from the
/// repository root). Only the scratch folder changes: /tmp/ becomes a private temporary folder, so that
/// runs on a shared machine do not collide.
/// </summary>
public sealed class DocCommandTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("parma-doc-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private async Task<ProcessResult> RunAsync(ShellBlock block) =>
        // When a line fails the shell stops there; the trap stops what the block started in the background (an agent) too,
        // which would otherwise keep the output open and the test waiting.
        await PublishedParma.RunShellAsync("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + block.Script.Replace("/tmp/", _scratch + "/", StringComparison.Ordinal), timeout: TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Examples_readme_patch_walkthrough_works_as_written()
    {
        var block = MarkdownCommands.Under(RepoPaths.InRepo("examples", "README.md"), "Stamping a manifest: `--patch`").Single();

        var result = await RunAsync(block);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("patched").And.MatchRegex(@"image: registry\.example/parma/hello@sha256:[0-9a-f]{64}")
            .And.MatchRegex("parma.dev/host-data: \"[0-9a-f]{64}\"");
    }

    [Fact]
    public async Task Guest_agent_trying_it_works_as_written()
    {
        var block = MarkdownCommands.Under(RepoPaths.InRepo("docs", "guest-agent.md"), "Trying it").Single();
        block.Script.Should().Contain("parma agent replay");

        var result = await RunAsync(block);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().MatchRegex(@"\n[1-9][0-9]* passed, 0 failed\n");
        File.Exists(Path.Combine(_scratch, "web", "agent.sock")).Should().BeFalse("the agent removed its socket when it was stopped");
    }
}
