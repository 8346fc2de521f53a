using Parma.Testing;

namespace Parma.Cli.Tests;

public class VersionCommandTests
{
    [Fact]
    public async Task Version_prints_the_command_name_and_a_version()
    {
        var result = await CliRunner.RunAsync("version");

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().MatchRegex(@"^parma \d+\.\d+");
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message()
    {
        var result = await CliRunner.RunAsync("no-such-command");

        result.ExitCode.Should().NotBe(0);
        (result.StandardError + result.StandardOutput).Should().Contain("no-such-command");
    }
}
