using Parma.Testing;

namespace Parma.Cli.Tests.Setup;

/// <summary>scripts/apt-get.sh, which setup.sh runs apt-get through, against a stand-in apt-get that fails like a busy lock.</summary>
public sealed class AptGetScriptTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-apt-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>A stand-in apt-get that fails <paramref name="failures"/> times with <paramref name="message"/>, then succeeds; it logs its arguments.</summary>
    private string StandIn(int failures, string message, int exitCode = 100)
    {
        var path = Path.Combine(_work, "apt-get");
        File.WriteAllText(path, $"""
            #!/usr/bin/env bash
            echo "$*" >> "{_work}/calls"
            n=$(wc -l < "{_work}/calls")
            if [ "$n" -le {failures} ]; then echo '{message}' >&2; exit {exitCode}; fi
            echo installed
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private Task<ProcessResult> Run(string standIn, string wait = "30") =>
        ProcessRunner.RunAsync(RepoPaths.InRepo("scripts", "apt-get.sh"), ["install", "-y", "busybox-static"], environment: new Dictionary<string, string?>
        {
            ["APT_GET"] = standIn,
            ["APT_LOCK_RETRY"] = "0.1",
            ["APT_LOCK_WAIT"] = wait,
        }, timeout: TimeSpan.FromMinutes(1));

    private string[] Calls => File.ReadAllLines(Path.Combine(_work, "calls"));

    [Fact]
    public async Task A_busy_lock_is_waited_for_and_the_command_then_runs()
    {
        var result = await Run(StandIn(2, "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("installed");
        Calls.Should().HaveCount(3).And.OnlyContain(c => c == "-o DPkg::Lock::Timeout=0.1 install -y busybox-static");
        result.StandardError.Should().Contain("lock is busy (held by process 4242 (apt-get)); trying again");
    }

    [Fact]
    public async Task Another_failure_is_not_retried()
    {
        var result = await Run(StandIn(5, "E: Unable to locate package busybox-static"));

        result.ExitCode.Should().Be(100);
        Calls.Should().HaveCount(1);
        result.StandardError.Should().Contain("Unable to locate package").And.NotContain("trying again");
    }

    [Fact]
    public async Task A_lock_that_stays_busy_gives_up_after_the_wait_with_a_message()
    {
        var result = await Run(StandIn(1000, "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 7 (apt-get)"), wait: "1");

        result.ExitCode.Should().Be(100);
        Calls.Should().NotBeEmpty("how many tries fit in the second depends on the machine's load");
        result.StandardError.Should().Contain("still busy (held by process 7 (apt-get)) after 1 s; giving up");
    }
}
