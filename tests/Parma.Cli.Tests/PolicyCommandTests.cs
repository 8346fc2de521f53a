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
        var original = await File.ReadAllTextAsync(manifest);

        var result = await Generate("-f", manifest, "--patch");

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain($"patched {manifest}");
        var text = await File.ReadAllTextAsync(manifest);
        var patched = ManifestSet.Parse(text, manifest);
        var annotations = patched.Workloads.Single().Metadata.StringMapFor("annotations");
        annotations.Should().ContainKey("io.katacontainers.config.agent.policy");
        annotations["parma.dev/host-data"].Should().MatchRegex("^[0-9a-f]{64}$");
        patched.Workloads.Single().Spec["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>().Should().Be("8080", "a string that looks like a number stays a string");
        RemoveLines(text, "io.katacontainers.config.agent.policy:", "parma.dev/host-data:", "      annotations:").Should().Be(original,
            "only the annotations are added: comments, quoting and layout stay");

        var again = await Generate("-f", manifest, "--patch");
        again.ExitCode.Should().Be(0);
        again.StandardOutput.Should().Contain($"{manifest} is up to date");
        (await File.ReadAllTextAsync(manifest)).Should().Be(text, "a second run gives the same bytes");
    }

    [Fact]
    public async Task Generate_patch_with_pin_images_pins_each_container_and_stays_stable()
    {
        var manifest = Path.Combine(_work, "group.yaml");
        File.Copy(Example("confidential-pod-group.yaml"), manifest);

        var first = await Generate("-f", manifest, "--patch", "--pin-images");
        var text = await File.ReadAllTextAsync(manifest);
        var second = await Generate("-f", manifest, "--patch", "--pin-images");

        first.ExitCode.Should().Be(0, first.StandardError);
        second.ExitCode.Should().Be(0, second.StandardError);
        var images = ManifestSet.Parse(text, manifest).Workloads.Single().Spec["containers"]!.AsArray().Select(c => c!["image"]!.GetValue<string>()).ToList();
        images.Should().HaveCount(2).And.OnlyContain(i => i!.Contains("@sha256:", StringComparison.Ordinal));
        first.StandardOutput.Should().Contain(images[0]!).And.Contain(images[1]!);
        (await File.ReadAllTextAsync(manifest)).Should().Be(text, "the pinned images resolve from the layout by digest to the same policy");
        HostData(second.StandardOutput).Should().Be(HostData(first.StandardOutput));

        var alone = await Generate("-f", manifest, "--pin-images");
        alone.ExitCode.Should().NotBe(0);
        alone.StandardError.Should().Contain("--pin-images works with --patch");
    }

    [Fact]
    public async Task Generate_output_names_every_file_it_wrote()
    {
        var output = Path.Combine(_work, "out");

        var result = await Generate("-f", Example("deployment.yaml"), "--format", "initdata", "--output", output);

        result.ExitCode.Should().Be(0, result.StandardError);
        var line = result.StandardOutput.Split('\n').Single(l => l.StartsWith("wrote ", StringComparison.Ordinal));
        var listed = line["wrote ".Length..].Split(", ");
        listed.Should().BeEquivalentTo(Directory.GetFiles(output));
        listed.Should().Contain(Path.Combine(output, "default.web.initdata.toml"));
    }

    [Fact]
    public async Task Generate_with_images_that_are_not_a_layout_or_lack_the_tag_fails_naming_them()
    {
        var missing = Path.Combine(_work, "no-such-layout");
        var notLayout = Directory.CreateDirectory(Path.Combine(_work, "just-a-folder")).FullName;
        var manifest = Path.Combine(_work, "other.yaml");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(Example("deployment.yaml"))).Replace("hello:1.0", "hello:9.9", StringComparison.Ordinal));

        var absent = await CliRunner.RunAsync("policy", "generate", "-f", Example("deployment.yaml"), "--images", missing);
        var empty = await CliRunner.RunAsync("policy", "generate", "-f", Example("deployment.yaml"), "--images", notLayout);
        var untagged = await Generate("-f", manifest);

        absent.ExitCode.Should().Be(2);
        absent.StandardError.Should().Contain($"--images {missing}: {missing} does not exist");
        empty.ExitCode.Should().Be(2);
        empty.StandardError.Should().Contain($"--images {notLayout}: {notLayout} is not an OCI image layout: it has no oci-layout file");
        untagged.ExitCode.Should().Be(2);
        untagged.StandardError.Should().Contain("image registry.example/parma/hello:9.9: not found in the image layout " + Example("images"))
            .And.Contain("registry.example/parma/hello:1.0").And.Contain("not fetched from registries");
    }

    private static string HostData(string summary) => System.Text.RegularExpressions.Regex.Match(summary, "host_data: ([0-9a-f]{64})").Groups[1].Value;

    private static string RemoveLines(string text, params string[] prefixes) =>
        string.Join('\n', text.Split('\n').Where(l => !prefixes.Any(p => l.TrimStart().StartsWith(p.Trim(), StringComparison.Ordinal))));

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

        explain.StandardOutput.Should().NotContain("missing", "the container_id is there, just unknown");

        var create = trace.First(c => c.Kind == "CreateContainerRequest").Request.DeepClone().AsObject();
        create["OCI"]!.AsObject().Remove("Version");
        await File.WriteAllTextAsync(requestPath, create.ToJsonString());
        var noVersion = await CliRunner.RunAsync("policy", "explain", "-p", policyPath, "-k", "CreateContainerRequest", "-r", requestPath);
        noVersion.ExitCode.Should().Be(1);
        noVersion.StandardOutput.Should().Contain(": OCI.Version: ").And.EndWith("\n  OCI.Version: missing (the request has no value there)\n");

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
        var plan = await new PolicyPipeline(settings, images).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
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
