using System.Text.Json.Nodes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Oci.Verity;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>The Linux backend behind a real agent: layer checks against veritysetup's arithmetic, the OCI bundle, and runc.</summary>
public sealed class LinuxBackendTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private KataHostSimulator Host => new(group.Settings, group.Plan);

    [Fact]
    public async Task The_layer_check_recomputes_the_root_hash_veritysetup_computes()
    {
        var veritysetup = ProcessRunner.Require("veritysetup");
        var request = Host.CreateContainer(group.App);
        var layerId = request["storages"]![0]!["mount_point"]!.GetValue<string>().Split('/')[^1];
        var data = Path.Combine(group.NewDirectory("verity"), "data");
        var bytes = await File.ReadAllBytesAsync(group.LayerFile(layerId));
        await File.WriteAllBytesAsync(data, [.. bytes, .. new byte[(4096 - (bytes.Length % 4096)) % 4096]]);
        var result = (await ProcessRunner.RunAsync(veritysetup, ["format", "--no-superblock", "--hash", "sha256", "--data-block-size", "4096", "--hash-block-size", "4096",
            "--salt", new string('0', 64), data, data + ".hash"])).EnsureSuccess("veritysetup format");
        var rootHash = result.StandardOutput.Split('\n').Single(l => l.StartsWith("Root hash:", StringComparison.Ordinal)).Split(':')[1].Trim();
        (await VerityHasher.HashFileAsync(group.LayerFile(layerId))).Hex.Should().Be(rootHash);
        request["storages"]![0]!["options"]![3]!.GetValue<string>().Should().Be($"io.katacontainers.fs-opt.root-hash={rootHash}");
    }

    [Fact]
    public async Task Create_verifies_layers_and_writes_the_bundle_and_start_needs_runc()
    {
        var state = group.NewDirectory("linux-state");
        var backend = new LinuxBackend(new RuntimeOptions { StateDirectory = state, LayerSourceRoot = group.LayerRoot }, runcPath: null);
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        foreach (var request in Host.StartPod().Take(2))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue(answer.Message);
        }

        var id = Host.Sandbox.SandboxId;
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, id, "config.json")))!;
        config["ociVersion"]!.GetValue<string>().Should().Be(group.Settings.Runtime.OciVersion);
        config["process"]!["args"]!.AsArray().Select(a => a!.GetValue<string>()).Should().Equal(group.Pause.Args);
        config["root"]!["path"]!.GetValue<string>().Should().Be(Path.Combine(state, id, "rootfs"));
        config["linux"]!["namespaces"]!.AsArray().Should().NotBeEmpty();

        var before = agent.State;
        var start = await agent.SendAsync("StartContainerRequest", new JsonObject { ["container_id"] = id });
        if (backend.CanRunContainers)
        {
            start.Code.Should().NotBe(StatusCode.PermissionDenied);
        }
        else
        {
            start.Code.Should().Be(StatusCode.FailedPrecondition);
            start.Message.Should().Contain("runc is not installed");
            agent.State.Should().Be(before, "the start failed, so the container is not marked started");
        }
    }

    [Fact]
    public async Task A_missing_layer_file_fails_the_create_with_its_path()
    {
        var backend = new LinuxBackend(new RuntimeOptions { StateDirectory = group.NewDirectory("linux-missing"), LayerSourceRoot = group.NewDirectory("empty-layers") });
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        (await agent.SendAsync("CreateSandboxRequest", Host.CreateSandbox())).Ok.Should().BeTrue();

        var answer = await agent.SendAsync("CreateContainerRequest", Host.CreateContainer(group.App));
        answer.Code.Should().Be(StatusCode.NotFound);
        answer.Message.Should().Contain("does not exist").And.Contain(group.Settings.Runtime.LayerSrcPrefix);
    }

    [Fact]
    public void The_bundle_uses_runtime_spec_field_names()
    {
        var spec = new Spec
        {
            Version = "1.1.0",
            Process = new Process { Args = { "/bin/true" }, Env = { "A=b" }, Cwd = "/", User = new User { UID = 1000, GID = 1000 } },
            Root = new Root { Path = "/ignored", Readonly = true },
            Mounts = { new Mount { Destination = "/proc", Type = "proc", Source = "proc" } },
        };
        var config = OciBundleWriter.ToRuntimeSpec(spec, "/bundle/rootfs");
        config["ociVersion"]!.GetValue<string>().Should().Be("1.1.0");
        config["process"]!["user"]!["uid"]!.GetValue<uint>().Should().Be(1000);
        config["root"]!["readonly"]!.GetValue<bool>().Should().BeTrue();
        config["mounts"]![0]!["type"]!.GetValue<string>().Should().Be("proc");
    }
}
