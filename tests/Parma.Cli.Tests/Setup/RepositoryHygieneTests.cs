using Parma.Testing;

namespace Parma.Cli.Tests.Setup;

/// <summary>What the first commands of a new user write stays out of git.</summary>
public sealed class RepositoryHygieneTests
{
    [Theory]
    [InlineData("out/demo.hello.rego")]
    [InlineData("TestResults/run-1-2/Parma.Cli.Tests.trx")]
    [InlineData("tests/Parma.Cli.Tests/TestResults/Parma.Cli.Tests.trx")]
    [InlineData(".tools/bin/parma")]
    public async Task Generated_paths_are_git_ignored(string path)
    {
        var result = await ProcessRunner.RunAsync("git", ["check-ignore", "--no-index", "-q", path], workingDirectory: RepoPaths.Root);

        result.ExitCode.Should().Be(0, $"{path} should be ignored by .gitignore ({result.StandardError})");
    }
}
