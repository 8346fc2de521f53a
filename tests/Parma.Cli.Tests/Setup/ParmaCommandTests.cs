using Parma.Testing;
using Parma.Testing.Docs;

namespace Parma.Cli.Tests.Setup;

/// <summary>The `parma` command a new user types: published by setup.sh into .tools/bin and found through PATH.</summary>
public sealed class ParmaCommandTests
{
    [Fact]
    public async Task Parma_on_path_is_the_published_build_of_these_sources()
    {
        var shell = await PublishedParma.RunShellAsync("command -v parma\nparma --version\nparma policy generate --help");
        var version = await CliRunner.RunAsync("--version");
        var help = await CliRunner.RunAsync("policy", "generate", "--help");

        shell.ExitCode.Should().Be(0, shell.StandardError);
        var lines = shell.StandardOutput.Split('\n');
        lines[0].Should().Be(Path.Combine(RepoPaths.Tools, "bin", "parma"));
        // The version carries the commit, which a docs-only commit changes without a new publish: compare the rest.
        lines[1].Split('+')[0].Should().Be(version.StandardOutput.Split('+')[0].Trim());
        string.Join('\n', lines.Skip(2)).Should().Be(help.StandardOutput, "the published parma has the options of this tree's build");
    }

    [Fact]
    public async Task The_readme_first_command_works_as_written()
    {
        var block = MarkdownCommands.Under(RepoPaths.InRepo("README.md"), "Two commands on a fresh machine")[0];
        block.Lines.Should().HaveCount(3).And.StartWith("./scripts/setup.sh");
        block.Lines[^1].Should().StartWith("parma policy generate");

        // setup.sh has run before the tests (scripts/test.sh runs it); the rest runs verbatim.
        var result = await PublishedParma.RunShellAsync(string.Join('\n', block.Lines.Skip(1)));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("ConfidentialPodGroup demo/hello (agent-policy)").And.MatchRegex("host_data: [0-9a-f]{64}");
    }

    [Fact]
    public async Task A_changed_source_makes_install_parma_publish_again_and_an_unchanged_tree_does_not()
    {
        await PublishedParma.EnsureAsync();
        var stamp = Path.Combine(RepoPaths.Tools, "parma", ".published-from-sources");
        var before = File.GetLastWriteTimeUtc(stamp);

        var again = await ProcessRunner.RunAsync(RepoPaths.InRepo("scripts", "install-parma.sh"), [], RepoPaths.Root);

        again.ExitCode.Should().Be(0, again.StandardError);
        again.StandardError.Should().NotContain("publishing", "nothing changed since the last publish");
        File.GetLastWriteTimeUtc(stamp).Should().Be(before);
    }
}
