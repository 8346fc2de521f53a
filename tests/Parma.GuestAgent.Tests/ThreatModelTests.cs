using System.Text.Json.Nodes;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The threat model end to end: a real agent on a Unix socket, the host's requests sent through our
/// ttrpc client. The legitimate sequence works; every attack is denied with its reason and leaves the
/// policy state exactly as it was.
/// </summary>
public sealed class ThreatModelTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private KataHostSimulator Host => new(group.Settings, group.Plan);

    private async Task<RunningAgent> SandboxReadyAsync()
    {
        var agent = await RunningAgent.StartAsync(group);
        foreach (var request in Host.StartPod().Take(3))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
        }

        return agent;
    }

    private static async Task<Answer> DeniedWithoutTraceAsync(RunningAgent agent, string kind, JsonObject input, string reasonStart, StatusCode code = StatusCode.PermissionDenied)
    {
        var before = agent.State;
        var answer = await agent.SendAsync(kind, input);
        answer.Code.Should().Be(code, answer.Message);
        answer.Message.Should().Contain(reasonStart);
        agent.State.Should().Be(before, "a denied or failed request leaves no state behind");
        return answer;
    }

    private JsonObject AppRequest(Action<JsonObject> tamper)
    {
        var request = Host.CreateContainer(group.App);
        tamper(request);
        return request;
    }

    private static JsonObject Overlay(JsonObject request) =>
        request["storages"]!.AsArray().Single(s => s!["fstype"]!.GetValue<string>() == "fuse3.kata-overlay")!.AsObject();

    [Fact]
    public async Task The_legitimate_host_sequence_succeeds_and_runs_the_processes()
    {
        await using var agent = await RunningAgent.StartAsync(group);
        foreach (var request in Host.StartPod().Concat(Host.RunAndStopPod()))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
            if (request.Kind == "WaitProcessRequest" && request.Input["container_id"]!.GetValue<string>() == Host.ContainerId(group.App))
            {
                ((WaitProcessResponse)answer.Response!).Status.Should().Be(128 + 15, "SIGTERM ended the app's sleep");
            }
        }

        agent.State.Should().Contain("\"containers\":{}", "every container was removed again");
        var audit = agent.AuditLines;
        audit.Should().HaveCount(Host.StartPod().Count + Host.RunAndStopPod().Count);
        audit.Should().OnlyContain(l => l["allowed"]!.GetValue<bool>() && l["outcome"]!.GetValue<string>() == "executed");
        audit.Should().OnlyContain(l => l["policy_sha256"]!.GetValue<string>() == agent.Host.Policy.HostDataHex);
        agent.AuditText.Should().NotContain(ProbeGroup.Secret);
    }

    [Fact]
    public async Task A_tampered_layer_file_is_refused_and_rolled_back()
    {
        await using var agent = await SandboxReadyAsync();
        var request = Host.CreateContainer(group.App);
        var layerId = request["storages"]![0]!["mount_point"]!.GetValue<string>().Split('/')[^1];
        var file = group.LayerFile(layerId);
        var original = await File.ReadAllBytesAsync(file);
        var tampered = (byte[])original.Clone();
        tampered[600] ^= 0x01;
        await File.WriteAllBytesAsync(file, tampered);
        try
        {
            await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", request, "the layer was tampered with");
        }
        finally
        {
            await File.WriteAllBytesAsync(file, original);
        }

        (await agent.SendAsync("CreateContainerRequest", request)).Ok.Should().BeTrue("the failed attempt left no container, binding or mount point behind");
        agent.AuditLines.Should().Contain(l => l["outcome"]!.GetValue<string>() == "failed" && l["error"]!.GetValue<string>().Contains("tampered"));
    }

    [Fact]
    public async Task An_unlisted_layer_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        var forged = new string('b', 64);
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", AppRequest(r => r["storages"]![0]!["options"]![3] = $"io.katacontainers.fs-opt.root-hash={forged}"),
            "CreateContainerRequest is blocked by policy: create.layers: storages[0]");
    }

    [Fact]
    public async Task Reordered_layers_are_denied()
    {
        await using var agent = await SandboxReadyAsync();
        var request = AppRequest(r =>
        {
            var options = Overlay(r)["options"]!.AsArray();
            var lowerdir = options[^1]!.GetValue<string>()["lowerdir=".Length..].Split(':');
            options[^1] = "lowerdir=" + string.Join(':', lowerdir.Reverse());
        });
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", request, "create.overlay: storages[overlay].options");
    }

    [Fact]
    public async Task A_changed_command_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", AppRequest(r => r["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/sh", "-c", "cat /etc/shadow")),
            "create.args: OCI.Process.Args");
    }

    [Fact]
    public async Task A_changed_environment_variable_is_denied_and_its_value_never_logged()
    {
        await using var agent = await SandboxReadyAsync();
        var answer = await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", AppRequest(r =>
        {
            var env = r["OCI"]!["Process"]!["Env"]!.AsArray();
            var index = env.Select(e => e!.GetValue<string>()).ToList().FindIndex(e => e.StartsWith("API_TOKEN=", StringComparison.Ordinal));
            env[index] = "API_TOKEN=stolen-by-the-host";
        }), "create.env: OCI.Process.Env[API_TOKEN]");
        answer.Message.Should().NotContain("stolen-by-the-host");
        agent.AuditText.Should().NotContain("stolen-by-the-host").And.NotContain(ProbeGroup.Secret);
    }

    [Fact]
    public async Task An_added_environment_variable_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", AppRequest(r => r["OCI"]!["Process"]!["Env"]!.AsArray().Add("LD_PRELOAD=/tmp/evil.so")),
            "create.env: OCI.Process.Env[LD_PRELOAD]");
    }

    [Fact]
    public async Task A_changed_mount_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", AppRequest(r => r["OCI"]!["Mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/host",
            ["options"] = new JsonArray("rbind", "rw"),
            ["source"] = "/",
            ["type_"] = "bind",
        })), "create.mounts: OCI.Mounts");
    }

    [Fact]
    public async Task Exec_of_an_unlisted_command_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        foreach (var request in Host.StartPod().Skip(3))
        {
            (await agent.SendAsync(request.Kind, request.Input)).Ok.Should().BeTrue(request.Description);
        }

        await DeniedWithoutTraceAsync(agent, "ExecProcessRequest", Host.ExecProcess(group.App, ["/bin/sh", "-c", "cat /proc/self/environ"]), "exec.args: process.Args");
    }

    [Fact]
    public async Task A_duplicate_container_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        (await agent.SendAsync("CreateContainerRequest", Host.CreateContainer(group.App))).Ok.Should().BeTrue();
        await DeniedWithoutTraceAsync(agent, "CreateContainerRequest", Host.CreateContainer(group.App), "create.container_id: container_id: container");
    }

    [Fact]
    public async Task SetPolicy_is_denied()
    {
        await using var agent = await SandboxReadyAsync();
        await DeniedWithoutTraceAsync(agent, "SetPolicyRequest", new JsonObject { ["policy"] = "package agent_policy\ndefault CreateContainerRequest := true\n" },
            "SetPolicyRequest is blocked by policy: set_policy");
    }

    [Fact]
    public async Task A_policy_whose_hash_differs_from_HOST_DATA_makes_the_agent_refuse_everything()
    {
        var otherPolicy = new byte[32];
        otherPolicy[0] = 0x42;
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: otherPolicy);
        agent.Host.Policy.Refusal.Should().Contain("HOST_DATA");
        foreach (var request in Host.StartPod())
        {
            var answer = await DeniedWithoutTraceAsync(agent, request.Kind, request.Input, "the agent refuses every request: HOST_DATA of the attestation report");
            answer.Message.Should().Contain(Convert.ToHexStringLower(otherPolicy)).And.Contain(agent.Host.Policy.HostDataHex);
        }

        agent.AuditLines.Should().OnlyContain(l => l["outcome"]!.GetValue<string>() == "refused");
    }

    [Fact]
    public async Task A_denied_stdout_read_is_answered_empty_instead_of_failing()
    {
        await using var agent = await SandboxReadyAsync();
        var answer = await agent.CallAsync("ReadStdout", new ReadStreamRequest { ContainerId = Host.Sandbox.SandboxId, Len = 1024 });
        answer.Ok.Should().BeTrue(answer.Message);
        ((ReadStreamResponse)answer.Response!).Data.IsEmpty.Should().BeTrue();
        agent.AuditLines[^1]["outcome"]!.GetValue<string>().Should().Be("redacted");
    }

    [Fact]
    public async Task An_agent_started_without_a_policy_accepts_one_SetPolicy_that_matches_HOST_DATA()
    {
        var launched = Parma.Policy.Output.HostData.OfPolicy(group.Policy.PolicyText);
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: launched, policyPath: null);
        (await agent.SendAsync("CreateSandboxRequest", Host.CreateSandbox())).Code.Should().Be(StatusCode.PermissionDenied);
        var set = await agent.CallAsync("SetPolicy", new SetPolicyRequest { Policy = group.Policy.PolicyText });
        set.Ok.Should().BeTrue(set.Message);
        agent.Host.Policy.Refusal.Should().BeNull();
        (await agent.SendAsync("CreateSandboxRequest", Host.CreateSandbox())).Ok.Should().BeTrue();
        (await agent.CallAsync("SetPolicy", new SetPolicyRequest { Policy = group.Policy.PolicyText })).Code.Should().Be(StatusCode.PermissionDenied, "the policy has no SetPolicy rule");
    }

    [Fact]
    public async Task A_first_SetPolicy_whose_hash_differs_from_HOST_DATA_leaves_the_agent_refusing()
    {
        var launched = Parma.Policy.Output.HostData.OfPolicy(group.Policy.PolicyText);
        await using var agent = await RunningAgent.StartAsync(group, launchHostData: launched, policyPath: null);
        var forged = group.Policy.PolicyText.Replace("\"/bin/sh\", \"-c\", \"echo probe-ok\"", "\"/bin/sh\", \"-c\", \"id\"", StringComparison.Ordinal) + "\n";
        (await agent.CallAsync("SetPolicy", new SetPolicyRequest { Policy = forged })).Ok.Should().BeTrue();
        agent.Host.Policy.Refusal.Should().Contain("HOST_DATA");
        (await agent.SendAsync("CreateSandboxRequest", Host.CreateSandbox())).Message.Should().Contain("refuses every request");
    }
}
