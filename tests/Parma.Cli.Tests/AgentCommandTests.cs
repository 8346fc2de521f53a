using System.Diagnostics;
using System.Text.Json.Nodes;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.Cli.Tests;

/// <summary><c>parma agent serve</c> as a real process on a Unix socket, driven by <c>parma agent replay</c>.</summary>
public sealed class AgentCommandTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-cli-agent-").FullName;
    private readonly PolicySettings _settings = PolicySettingsLoader.Defaults();
    private PodPlan _plan = null!;

    private string PolicyPath => Path.Combine(_work, "policy.rego");

    public async Task InitializeAsync()
    {
        using var resolver = new ImageResolver(cache: new LayerCache(Path.Combine(_work, "cache")));
        var images = new ResolvingImageFactsSource(resolver, [RepoPaths.InRepo("examples", "images")]);
        var example = RepoPaths.InRepo("examples", "deployment.yaml");
        var manifests = ManifestSet.Parse(await File.ReadAllTextAsync(example), example);
        _plan = await new PolicyPipeline(_settings, images).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        await File.WriteAllTextAsync(PolicyPath, new PolicyGenerator(_settings, images).Render(_plan).PolicyText);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Starts `parma agent serve` and waits for its "listening" line.</summary>
    private Task<Process> ServeAsync(string socket, params string[] extra) => ServeWithBackendAsync(socket, "dev", extra);

    private async Task<Process> ServeWithBackendAsync(string socket, string backend, params string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "parma.dll"), "agent", "serve", "--socket", socket, "--policy", PolicyPath, "--report-provider", "dev", "--backend", backend, "--state-dir", Path.Combine(_work, "state") }.Concat(extra))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("listening on", StringComparison.Ordinal))
            {
                return process;
            }
        }

        throw new InvalidOperationException($"parma agent serve exited with {process.ExitCode} before listening");
    }

    private async Task<string> TraceAsync(bool expectEverythingAllowedWrongly = false)
    {
        var host = new KataHostSimulator(_settings, _plan);
        var app = _plan.Containers.Single(c => c.Name == "web");
        var tampered = host.CreateContainer(app);
        tampered["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/sh");
        var cases = new List<TraceCase>
        {
            new("create the sandbox", true, "CreateSandboxRequest", host.CreateSandbox()),
            new("a changed command", expectEverythingAllowedWrongly, "CreateContainerRequest", tampered),
            new("exec into nothing", false, "ExecProcessRequest", host.ExecProcess(app, ["/app/healthy.sh"])),
            new("replace the policy", false, "SetPolicyRequest", new JsonObject { ["policy"] = "package agent_policy" }),
        };
        var path = Path.Combine(_work, $"trace-{expectEverythingAllowedWrongly}.json");
        await File.WriteAllTextAsync(path, Parma.Policy.Enforcement.Trace.Write(cases));
        return path;
    }

    [Fact]
    public async Task Replay_against_a_served_agent_passes_and_reports_mismatches()
    {
        var socket = Path.Combine(_work, "agent.sock");
        using var agent = await ServeAsync(socket);
        // A trace starts with CreateSandbox, which an agent carries out once: the second trace gets an agent of its own.
        var secondSocket = Path.Combine(_work, "agent-2.sock");
        using var second = await ServeAsync(secondSocket);
        try
        {
            var ok = await CliRunner.RunAsync("agent", "replay", "--socket", socket, await TraceAsync());
            ok.ExitCode.Should().Be(0, ok.StandardOutput + ok.StandardError);
            ok.StandardOutput.Should().Contain("create.args: OCI.Process.Args").And.EndWith("4 passed, 0 failed\n");

            var wrong = await CliRunner.RunAsync("agent", "replay", "--socket", secondSocket, await TraceAsync(expectEverythingAllowedWrongly: true));
            wrong.ExitCode.Should().Be(1);
            wrong.StandardOutput.Should().Contain("FAIL 2. CreateContainerRequest: a changed command").And.EndWith("3 passed, 1 failed\n");
        }
        finally
        {
            foreach (var process in new[] { agent, second })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task A_dev_agent_writes_the_host_s_copied_files_under_its_state_directory_not_the_workstation_s_run()
    {
        var socket = Path.Combine(_work, "dev-copy.sock");
        using var agent = await ServeAsync(socket);
        try
        {
            var host = new KataHostSimulator(_settings, _plan);
            var requests = host.StartPod().ToList();
            // The file Kata's shim copies for a container's /etc/hosts, named as the policy's copy allow-list expects.
            var guestPath = $"/run/kata-containers/shared/containers/{new string('a', 64)}-{new string('b', 16)}-hosts";
            var cases = new List<TraceCase>
            {
                new("create the sandbox", true, "CreateSandboxRequest", requests.First(r => r.Kind == "CreateSandboxRequest").Input),
                new("copy a hosts file", true, "CopyFileRequest", KataHostSimulator.CopyFile(guestPath)),
            };
            var path = Path.Combine(_work, "copy.json");
            await File.WriteAllTextAsync(path, Parma.Policy.Enforcement.Trace.Write(cases));
            var result = await CliRunner.RunAsync("agent", "replay", "--socket", socket, path);
            result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);

            File.Exists(Path.Combine(_work, "state", "guest-root", guestPath.TrimStart('/'))).Should().BeTrue("without --copy-root the dev backend resolves guest paths under its state directory");
            File.Exists(guestPath).Should().BeFalse("a workstation's own /run is left alone");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_decisions_only_agent_answers_a_whole_pod_life_without_acting()
    {
        var socket = Path.Combine(_work, "none.sock");
        using var agent = await ServeWithBackendAsync(socket, "none");
        try
        {
            var host = new KataHostSimulator(_settings, _plan);
            var cases = host.StartPod().Concat(host.RunAndStopPod()).Select(r => new TraceCase(r.Description, true, r.Kind, r.Input)).ToList();
            cases[0].Request["pciPath"] = string.Empty;
            var path = Path.Combine(_work, "pod-life.json");
            await File.WriteAllTextAsync(path, Parma.Policy.Enforcement.Trace.Write(cases));
            var result = await CliRunner.RunAsync("agent", "replay", "--socket", socket, "--quiet", path);
            result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
            result.StandardOutput.Should().Contain("note 1. CreateSandboxRequest: CreateSandboxRequest.pciPath is not a field of the request; skipped")
                .And.EndWith($"{cases.Count} passed, 0 failed\n");
            Directory.Exists(Path.Combine(_work, "state")).Should().BeFalse("the decisions-only backend carries nothing out");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_whole_attack_corpus_over_the_socket_agrees_with_policy_replay()
    {
        var trace = Path.Combine(_work, "attacks.json");
        var simulate = await CliRunner.RunAsync("policy", "simulate", "-f", RepoPaths.InRepo("examples", "deployment.yaml"), "--images", RepoPaths.InRepo("examples", "images"),
            "--attacks", "--output", trace, "--no-cache");
        simulate.ExitCode.Should().Be(0, simulate.StandardError);
        var cases = Parma.Policy.Enforcement.Trace.Parse(await File.ReadAllTextAsync(trace), trace);
        cases.Should().Contain(c => c.Kind == "ReadStreamRequest" && !c.Allowed, "the example switches stdio off");
        var socket = Path.Combine(_work, "attacks.sock");
        using var agent = await ServeWithBackendAsync(socket, "none");
        try
        {
            var result = await CliRunner.RunAsync("agent", "replay", "--socket", socket, trace);

            // A denied read is answered with no data, as kata-agent answers it, not with PERMISSION_DENIED.
            result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
            result.StandardOutput.Should().MatchRegex(@"ok   \d+\. ReadStreamRequest: attack: ReadStreamRequest for the running container.*: answered with no data \(a denied read is redacted")
                .And.EndWith($"{cases.Count} passed, 0 failed\n");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task An_agent_launched_with_another_policy_refuses_everything()
    {
        var socket = Path.Combine(_work, "refusing.sock");
        using var agent = await ServeAsync(socket, "--dev-host-data", new string('1', 64));
        try
        {
            var result = await CliRunner.RunAsync("agent", "replay", "--socket", socket, await TraceAsync());
            result.ExitCode.Should().Be(1);
            result.StandardOutput.Should().Contain("the agent refuses every request: HOST_DATA").And.EndWith("3 passed, 1 failed\n");
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Replay_without_an_agent_is_a_clear_error()
    {
        var result = await CliRunner.RunAsync("agent", "replay", "--socket", Path.Combine(_work, "nobody.sock"), await TraceAsync());
        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("cannot connect to the agent at");
    }
}
