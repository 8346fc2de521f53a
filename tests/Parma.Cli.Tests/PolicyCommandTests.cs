using System.Text.Json.Nodes;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.Cli.Tests;

public sealed class PolicyCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-cli-policy-").FullName;

    private static string Example(string name) => RepoPaths.InRepo("examples", name);

    private string CacheArgs => Path.Combine(_work, "cache");

    private Task<ProcessResult> Generate(params string[] extra) =>
        CliRunner.RunAsync(["policy", "generate", "--images", Example("images"), "--cache-dir", CacheArgs, .. extra]);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Generate_prints_a_summary_with_host_data()
    {
        var result = await Generate("-f", Example("confidential-pod-group.yaml"));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("ConfidentialPodGroup demo/hello (agent-policy)")
            .And.Contain("hello        app         2  registry.example/parma/hello@sha256:")
            .And.MatchRegex("host_data: [0-9a-f]{64}");
    }

    [Fact]
    public async Task Generate_writes_files_whose_host_data_hash_agrees()
    {
        var output = Path.Combine(_work, "out");
        var result = await Generate("-f", Example("deployment.yaml"), "--output", output);
        result.ExitCode.Should().Be(0, result.StandardError);

        var hostData = (await File.ReadAllTextAsync(Path.Combine(output, "default.web.host-data"))).Trim();
        var fromRego = await CliRunner.RunAsync("policy", "hash", Path.Combine(output, "default.web.rego"));
        var fromAnnotation = await CliRunner.RunAsync("policy", "hash", Path.Combine(output, "default.web.annotation"));

        fromRego.StandardOutput.Trim().Should().Be(hostData);
        fromAnnotation.StandardOutput.Trim().Should().Be(hostData);
    }

    [Fact]
    public async Task Generate_to_stdout_in_initdata_format_writes_the_toml()
    {
        var result = await Generate("-f", Example("deployment.yaml"), "--format", "initdata", "--output", "-");

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().StartWith("version = \"0.1.0\"\nalgorithm = \"sha256\"");
        result.StandardError.Should().Contain("Deployment default/web (initdata)");
    }

    [Fact]
    public async Task Generate_patch_stamps_the_annotations_into_the_manifest()
    {
        var manifest = Path.Combine(_work, "deployment.yaml");
        File.Copy(Example("deployment.yaml"), manifest);

        var result = await Generate("-f", manifest, "--patch");

        result.ExitCode.Should().Be(0, result.StandardError);
        var patched = ManifestSet.Parse(await File.ReadAllTextAsync(manifest), manifest);
        var annotations = patched.Workloads.Single().Metadata.StringMapFor("annotations");
        annotations.Should().ContainKey("io.katacontainers.config.agent.policy");
        annotations["parma.dev/host-data"].Should().MatchRegex("^[0-9a-f]{64}$");
        patched.Workloads.Single().Spec["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>().Should().Be("8080", "a string that looks like a number stays a string");

        var again = await Generate("-f", manifest, "--patch");
        again.ExitCode.Should().Be(0);
        ManifestSet.Parse(await File.ReadAllTextAsync(manifest), manifest).Workloads.Single().Metadata.StringMapFor("annotations")["parma.dev/host-data"]
            .Should().Be(annotations["parma.dev/host-data"], "the policy does not depend on annotations it stamped itself");
    }

    [Fact]
    public async Task Generate_with_an_unknown_kind_fails_with_exit_2_and_a_message()
    {
        var manifest = Path.Combine(_work, "gadget.yaml");
        await File.WriteAllTextAsync(manifest, "apiVersion: v1\nkind: Gadget\nmetadata:\n  name: g\n");

        var result = await Generate("-f", manifest);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("kind 'Gadget' does not describe pods");
    }

    [Fact]
    public async Task Replay_decides_on_the_input_the_agent_builds_with_every_field_present()
    {
        // A stock genpolicy rule reads fields a recorded request may leave out; kata-agent (and our agent)
        // serialise every field, so the in-process replay must too.
        var policyPath = Path.Combine(_work, "sandbox.rego");
        await File.WriteAllTextAsync(policyPath, """
            package agent_policy

            default CreateSandboxRequest := false

            CreateSandboxRequest if {
                count(input.kernel_modules) == 0
                input.guest_hook_path == ""
                every s in input.storages { s.fs_group == null; s.shared == false }
            }
            """);
        var tracePath = Path.Combine(_work, "sandbox.json");
        await File.WriteAllTextAsync(tracePath, """
            [
              {"description": "no pidns", "allowed": true, "kind": "CreateSandboxRequest", "request": {"sandbox_pidns": false, "storages": [{"driver": "ephemeral"}]}},
              {"description": "kernel modules", "allowed": false, "kind": "CreateSandboxRequest", "request": {"kernel_modules": [{"name": "evil.ko"}], "pciPath": ""}}
            ]
            """);

        var replay = await CliRunner.RunAsync("policy", "replay", "--policy", policyPath, tracePath);

        replay.ExitCode.Should().Be(0, replay.StandardOutput + replay.StandardError);
        replay.StandardOutput.Should().Contain("note 2. CreateSandboxRequest: CreateSandboxRequest.pciPath is not a field of the request; skipped")
            .And.EndWith("2 passed, 0 failed\n");
    }

    [Fact]
    public async Task Replay_and_explain_follow_a_trace_and_end_with_totals()
    {
        var (policyPath, trace) = await PolicyAndTrace();
        var tracePath = Path.Combine(_work, "trace.json");
        await File.WriteAllTextAsync(tracePath, Trace.Write(trace));

        var replay = await CliRunner.RunAsync("policy", "replay", "--policy", policyPath, tracePath);

        replay.ExitCode.Should().Be(0, replay.StandardOutput + replay.StandardError);
        replay.StandardOutput.TrimEnd().Split('\n')[^1].Should().Be($"{trace.Count} passed, 0 failed");

        var wrong = trace.Select((c, i) => i == 1 ? c with { Allowed = false } : c).ToList();
        await File.WriteAllTextAsync(tracePath, Trace.Write(wrong));
        var mismatch = await CliRunner.RunAsync("policy", "replay", "--policy", policyPath, tracePath);
        mismatch.ExitCode.Should().Be(1);
        mismatch.StandardOutput.Should().Contain("FAIL 2.").And.Contain($"{trace.Count - 1} passed, 1 failed");

        var requestPath = Path.Combine(_work, "request.json");
        var exec = trace.First(c => c.Kind == "ExecProcessRequest").Request.DeepClone().AsObject();
        exec["process"]!["Args"] = new JsonArray("/bin/sh");
        await File.WriteAllTextAsync(requestPath, exec.ToJsonString());
        var explain = await CliRunner.RunAsync("policy", "explain", "--policy", policyPath, "--request-kind", "ExecProcessRequest", "--request", requestPath);
        explain.ExitCode.Should().Be(1);
        explain.StandardOutput.Should().Contain("denied: ExecProcessRequest is blocked by policy: exec.container_id");

        await File.WriteAllTextAsync(requestPath, trace[0].Request.ToJsonString());
        var allowed = await CliRunner.RunAsync("policy", "explain", "-p", policyPath, "-k", trace[0].Kind, "-r", requestPath);
        allowed.ExitCode.Should().Be(0, allowed.StandardError);
        allowed.StandardOutput.Should().StartWith("allowed: CreateSandboxRequest");
    }

    [Fact]
    public async Task Diff_exits_1_when_policies_differ_and_0_when_they_do_not()
    {
        var output = Path.Combine(_work, "out");
        (await Generate("-f", Example("deployment.yaml"), "--output", output)).ExitCode.Should().Be(0);
        (await Generate("-f", Example("confidential-pod-group.yaml"), "--output", output)).ExitCode.Should().Be(0);

        var same = await CliRunner.RunAsync("policy", "diff", Path.Combine(output, "default.web.rego"), Path.Combine(output, "default.web.annotation"));
        var different = await CliRunner.RunAsync("policy", "diff", Path.Combine(output, "default.web.rego"), Path.Combine(output, "demo.hello.rego"));

        same.ExitCode.Should().Be(0, same.StandardError);
        same.StandardOutput.Should().Contain("no changes");
        different.ExitCode.Should().Be(1, different.StandardError);
        different.StandardOutput.Should().Contain("container web:\n  removed").And.Contain("container hello:\n  added").And.Contain("host_data:");
    }

    private async Task<(string PolicyPath, IReadOnlyList<TraceCase> Trace)> PolicyAndTrace()
    {
        var settings = PolicySettingsLoader.Defaults();
        using var resolver = new ImageResolver(cache: new LayerCache(CacheArgs));
        var images = new ResolvingImageFactsSource(resolver, [Example("images")]);
        var manifests = ManifestSet.Parse(await File.ReadAllTextAsync(Example("deployment.yaml")), "deployment.yaml");
        var plan = await new PodPlanner(settings, images).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        var policy = new PolicyGenerator(settings, images).Render(plan);
        var host = new KataHostSimulator(settings, plan);
        var policyPath = Path.Combine(_work, "policy.rego");
        await File.WriteAllTextAsync(policyPath, policy.PolicyText);
        return (policyPath, host.StartPod().Concat(host.RunAndStopPod()).Select(Trace.Allowed).ToList());
    }
}

internal static class MetadataExtensions
{
    public static IReadOnlyDictionary<string, string> StringMapFor(this JsonObject metadata, string name) =>
        (metadata[name] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
}
