using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Testing;

namespace Parma.Cli.Tests;

/// <summary><c>parma policy simulate</c>: the host's requests for a workload's pod as a trace that `policy replay` accepts.</summary>
public sealed class PolicySimulateCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-cli-simulate-").FullName;

    private static string Example(string name) => RepoPaths.InRepo("examples", name);

    private string Cache => Path.Combine(_work, "cache");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private Task<ProcessResult> Simulate(params string[] extra) =>
        CliRunner.RunAsync(["policy", "simulate", "--images", Example("images"), "--cache-dir", Cache, .. extra]);

    private async Task<string> PolicyAsync(string example)
    {
        var output = Path.Combine(_work, "policies");
        var generated = await CliRunner.RunAsync("policy", "generate", "-f", Example(example), "--images", Example("images"), "--cache-dir", Cache, "--output", output);
        generated.ExitCode.Should().Be(0, generated.StandardError);
        return Directory.EnumerateFiles(output, "*.rego").Single(f => f.Contains(example.StartsWith("deployment", StringComparison.Ordinal) ? ".web." : ".hello.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_simulated_life_replays_allowed_against_the_generated_policy()
    {
        var trace = Path.Combine(_work, "life.json");
        var simulated = await Simulate("-f", Example("confidential-pod-group.yaml"), "--output", trace);
        simulated.ExitCode.Should().Be(0, simulated.StandardError);
        simulated.StandardError.Should().MatchRegex(@"wrote \d+ requests for ConfidentialPodGroup demo/hello to ");

        var cases = Trace.Parse(await File.ReadAllTextAsync(trace), trace);
        cases[0].Kind.Should().Be("CreateSandboxRequest");
        cases.Select(c => c.Kind).Should().Contain(["CopyFileRequest", "CreateContainerRequest", "StartContainerRequest", "ExecProcessRequest", "SignalProcessRequest", "RemoveContainerRequest"]);
        cases.Should().OnlyContain(c => c.Allowed);

        var replay = await CliRunner.RunAsync("policy", "replay", "--quiet", "--policy", await PolicyAsync("confidential-pod-group.yaml"), trace);
        replay.ExitCode.Should().Be(0, replay.StandardOutput);
        replay.StandardOutput.Should().Be($"{cases.Count} passed, 0 failed\n");
    }

    [Fact]
    public async Task With_attacks_every_attack_is_denied_by_the_generated_policy()
    {
        var trace = Path.Combine(_work, "attacks.json");
        (await Simulate("-f", Example("deployment.yaml"), "--attacks", "--output", trace)).ExitCode.Should().Be(0);
        var cases = Trace.Parse(await File.ReadAllTextAsync(trace), trace);
        cases[0].Kind.Should().Be("UpdateInterfaceRequest", "the network set-up comes first");
        cases.Count(c => !c.Allowed).Should().BeGreaterThan(100);

        var replay = await CliRunner.RunAsync("policy", "replay", "--policy", await PolicyAsync("deployment.yaml"), trace);

        replay.ExitCode.Should().Be(0, replay.StandardOutput);
        replay.StandardOutput.Should().Contain("attack: hostname of another pod (expects create.hostname: OCI.Hostname): denied (create.hostname: OCI.Hostname: hostname other-pod is not the pod's)")
            .And.EndWith($"{cases.Count} passed, 0 failed\n");
    }

    [Fact]
    public async Task The_trace_goes_to_standard_output_and_repeats_for_the_same_seed()
    {
        var first = await Simulate("-f", Example("deployment.yaml"));
        var again = await Simulate("-f", Example("deployment.yaml"));
        var other = await Simulate("-f", Example("deployment.yaml"), "--seed", "other");

        first.ExitCode.Should().Be(0, first.StandardError);
        JsonNode.Parse(first.StandardOutput)!.AsArray().Should().NotBeEmpty();
        again.StandardOutput.Should().Be(first.StandardOutput);
        other.StandardOutput.Should().NotBe(first.StandardOutput, "the seed chooses the simulated ids");
    }

    [Fact]
    public async Task Several_workloads_need_a_choice_and_a_missing_one_is_named()
    {
        var both = Path.Combine(_work, "both.yaml");
        await File.WriteAllTextAsync(both, await File.ReadAllTextAsync(Example("deployment.yaml")) + "\n---\n" + await File.ReadAllTextAsync(Example("confidential-pod-group.yaml")));

        var ambiguous = await Simulate("-f", both);
        var chosen = await Simulate("-f", both, "--workload", "web");
        var missing = await Simulate("-f", both, "--workload", "nope");

        ambiguous.ExitCode.Should().Be(2);
        ambiguous.StandardError.Should().Contain("2 workloads (web, hello); choose one with --workload");
        chosen.ExitCode.Should().Be(0, chosen.StandardError);
        missing.ExitCode.Should().Be(2);
        missing.StandardError.Should().Contain("no workload named nope");
    }
}
