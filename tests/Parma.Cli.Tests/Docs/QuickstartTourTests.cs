using System.Text.Json;
using System.Text.RegularExpressions;
using Parma.Testing;
using Parma.Testing.Docs;

namespace Parma.Cli.Tests.Docs;

/// <summary>
/// docs/quickstart.md run as a new user runs it: each shell block in order, as written, with the published parma on
/// PATH, from the repository root. Only where files go changes: /tmp/ becomes a private temporary folder, and
/// ../shared/ the shared data folder when PARMA_SHARED puts it elsewhere. Each step's output is checked for what the
/// page says it shows.
/// </summary>
public sealed partial class QuickstartTourTests : IDisposable
{
    private static readonly string Page = RepoPaths.InRepo("docs", "quickstart.md");
    private readonly string _scratch = Directory.CreateTempSubdirectory("parma-quickstart-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Scratch(params string[] parts) => Path.Combine([_scratch, .. parts]);

    private async Task<ProcessResult> RunAsync(string heading, int index = 0)
    {
        var block = MarkdownCommands.Under(Page, heading)[index];
        var script = block.Script.Replace("/tmp/", _scratch + "/", StringComparison.Ordinal)
            .Replace("../shared/", RepoPaths.Shared + "/", StringComparison.Ordinal);
        // When a line fails, the shell stops there: stop what the block started in the background (the agent) too.
        return await PublishedParma.RunShellAsync("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script, timeout: TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task The_tour_runs_as_written_and_shows_what_the_page_says()
    {
        MarkdownCommands.ShellBlocks(Page).Select(b => b.Heading).Should().Equal(
            ["1. Generate the policy", "2. Read the summary", "3. Explain a denial", "4. Replay a host's traffic against the policy",
                "5. Replay it against a running agent", "5. Replay it against a running agent", "6. Verify an SNP report", "6. Verify an SNP report"],
            "every block of the page is a step this test runs and checks");

        // 1 and 2: the summary names every container with its pinned image and layer count, and the files written.
        var generate = await RunAsync("1. Generate the policy");
        generate.ExitCode.Should().Be(0, generate.StandardError);
        generate.StandardOutput.Should().Contain("ConfidentialPodGroup demo/hello (agent-policy)\n")
            .And.MatchRegex(@"\n  pause +pause +1  registry\.k8s\.io/pause@sha256:aaf45bd1[0-9a-f]{56}\n")
            .And.MatchRegex(@"\n  hello +app +2  registry\.example/parma/hello@sha256:7ce3fbf4[0-9a-f]{56}\n")
            .And.MatchRegex(@"\n  log-shipper +app +2  registry\.example/parma/log-shipper@sha256:25e4ac34[0-9a-f]{56}\n")
            .And.MatchRegex(@"\n  policy: [0-9.]+ KiB; annotation io\.katacontainers\.config\.agent\.policy: [0-9.]+ KiB of 256 KiB\n")
            .And.Contain($"wrote {Scratch("hello", "demo.hello.rego")}, {Scratch("hello", "demo.hello.annotation")}, {Scratch("hello", "demo.hello.host-data")}");
        var hostData = HostDataLine().Match(generate.StandardOutput).Groups[1].Value;

        var hashes = await RunAsync("2. Read the summary");
        hashes.ExitCode.Should().Be(0, hashes.StandardError);
        hostData.Should().NotBeEmpty();
        hashes.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            [hostData, $"{hostData}  {Scratch("hello", "demo.hello.rego")}", hostData], "parma, sha256sum and the .host-data file agree");

        // 3: the untouched request is allowed; the changed command is denied with the check, the field and both values.
        var explain = await RunAsync("3. Explain a denial");
        explain.ExitCode.Should().Be(1, "the last explain is a denial: " + explain.StandardError);
        explain.StandardOutput.Should().StartWith("allowed: CreateContainerRequest\nstate changes: [")
            .And.EndWith("denied: CreateContainerRequest is blocked by policy: create.args: OCI.Process.Args: command [\"/bin/sh\"], policy expects [\"/app/hello.sh\"]\n");

        // 4: the pod's life and the attack corpus, decided in process.
        var replay = await RunAsync("4. Replay a host's traffic against the policy");
        replay.ExitCode.Should().Be(0, replay.StandardError);
        replay.StandardOutput.Should().MatchRegex(@"^ok   \d+\. ExecProcessRequest: attack: exec of a command not in the policy .*: denied \(exec\.args: process\.Args: command \[""/bin/sh""\] is not allowed in container hello\), expected denied\n");
        var cases = JsonDocument.Parse(await File.ReadAllTextAsync(Scratch("hello", "trace.json"))).RootElement.EnumerateArray().ToList();
        var denied = cases.Count(c => !c.GetProperty("allowed").GetBoolean());
        denied.Should().BeGreaterThan(100, "the trace carries the attack corpus");
        replay.StandardOutput.Should().EndWith($"\n{cases.Count} passed, 0 failed\n");

        // 5: the same trace over the socket: the agent and the policy agree on every request, with the same reasons.
        var agent = await RunAsync("5. Replay it against a running agent");
        agent.ExitCode.Should().Be(0, "the agent stopped cleanly on SIGTERM: " + agent.StandardOutput + agent.StandardError);
        agent.StandardOutput.Should().Contain($"\npolicy bound: host_data {hostData}\n").And.Contain($"\n{cases.Count} passed, 0 failed\n");
        File.Exists(Scratch("hello", "agent.sock")).Should().BeFalse("the agent removed its socket when it stopped");
        var inProcess = (await File.ReadAllLinesAsync(Scratch("hello", "policy-replay.txt"))).Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).ToList();
        var overSocket = (await File.ReadAllLinesAsync(Scratch("hello", "agent-replay.txt"))).Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).ToList();
        overSocket.Should().HaveCount(cases.Count).And.HaveSameCount(inProcess);
        var redacted = 0;
        for (var i = 0; i < inProcess.Count; i++)
        {
            var reason = DenialReason().Match(inProcess[i]);
            if (!reason.Success)
            {
                overSocket[i].Should().EndWith(": allowed, expected allowed");
            }
            else if (overSocket[i].Contains(". ReadStreamRequest: ", StringComparison.Ordinal))
            {
                overSocket[i].Should().Contain(": answered with no data (a denied read is redacted");
                redacted++;
            }
            else
            {
                overSocket[i].Should().Contain($" is blocked by policy: {reason.Groups[1].Value}), expected denied", "case {0} is denied over the socket for the policy's reason", i + 1);
            }
        }

        redacted.Should().Be(2, "the page says two reads are answered empty");
        var audit = await RunAsync("5. Replay it against a running agent", 1);
        audit.ExitCode.Should().Be(0, audit.StandardError);
        var auditLines = audit.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        auditLines[0].Should().Be(denied.ToString(System.Globalization.CultureInfo.InvariantCulture), "the agent logged one denial per attack");
        auditLines.Skip(1).Should().HaveCount(2).And.OnlyContain(l => l.Contains("\"request\":\"ReadStreamRequest\"") && l.Contains("\"reason\":\"switch.ReadStreamRequest"));

        // 6: a real report from ../shared/snp-vectors verifies, shows its MEASUREMENT and HOST_DATA, and is not one of ours.
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(RepoPaths.InShared("snp-vectors", "expected.json"))).RootElement
            .GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "virtee-milan-v2").GetProperty("expected");
        var measurement = expected.GetProperty("measurement").GetString()!;
        var reportHostData = expected.GetProperty("host_data").GetString()!;
        var verify = await RunAsync("6. Verify an SNP report");
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
        verify.StandardOutput.Should().MatchRegex($@"\nmeasurement +{measurement}\n").And.MatchRegex($@"\nhost_data +{reportHostData}\n")
            .And.Contain("OK: Milan report signed by the VCEK, chain to AMD's pinned ARK, all requested checks hold\n")
            .And.Contain($"  MEASUREMENT: {measurement} (not checked: give --measurement)\n")
            .And.Contain($"  HOST_DATA:   {reportHostData} (not checked: give --policy or --host-data)\n");

        var mismatch = await RunAsync("6. Verify an SNP report", 1);
        mismatch.ExitCode.Should().Be(1, mismatch.StandardOutput + mismatch.StandardError);
        mismatch.StandardOutput.Should().StartWith("FAILED").And.Contain("HostDataMismatch")
            .And.Contain($"  expected HOST_DATA: {hostData} (the host_data of the policy {Scratch("hello", "demo.hello.rego")})\n")
            .And.Contain($"  found HOST_DATA:    {reportHostData} (in the report)\n");
    }

    [GeneratedRegex(@"\n  host_data: ([0-9a-f]{64})\n")]
    private static partial Regex HostDataLine();

    [GeneratedRegex(@": denied \((.*)\), expected denied$")]
    private static partial Regex DenialReason();
}
