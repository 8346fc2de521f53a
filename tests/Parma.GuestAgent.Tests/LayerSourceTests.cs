using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The host chooses each layer storage's source. Over a real agent socket: a source that is not the
/// policy's layer file is refused before it is opened, an endless source is read only up to the size the
/// policy gives the layer, and while one connection's CreateContainer is still copying a slow source,
/// the other connections are served.
/// </summary>
public sealed partial class LayerSourceTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    private KataHostSimulator Host => new(group.Settings, group.Plan);

    /// <summary>A private copy of the host's layer files (the tests replace some with devices and fifos).</summary>
    private string CopyOfLayers()
    {
        var copy = group.NewDirectory("layers");
        foreach (var file in Directory.EnumerateFiles(group.LayerRoot, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(group.LayerRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private Task<RunningAgent> StartAsync(string layers, string? policyPath = "", long maxLayerBytes = RuntimeOptions.DefaultMaxLayerBytes) =>
        RunningAgent.StartAsync(group, policyPath: policyPath, backend: new DevelopmentBackend(new RuntimeOptions
        {
            StateDirectory = group.NewDirectory("state"),
            LayerSourceRoot = layers,
            MaxLayerBytes = maxLayerBytes,
        }));

    private async Task SandboxAndPauseAsync(RunningAgent agent)
    {
        foreach (var request in Host.StartPod().Take(2))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
        }
    }

    /// <summary>The app's first layer storage: its layer id, root hash and the size the policy gives it.</summary>
    private (string Id, string RootHash, long Size) AppLayer(JsonObject create)
    {
        var storage = create["storages"]![0]!;
        var id = storage["mount_point"]!.GetValue<string>().Split('/')[^1];
        var rootHash = storage["options"]!.AsArray().Select(o => o!.GetValue<string>()).Single(o => o.StartsWith(LayerVerifier.RootHashOption, StringComparison.Ordinal))[LayerVerifier.RootHashOption.Length..];
        var entry = group.Policy.PolicyData["containers"]!.AsArray().SelectMany(c => c!["layers"]!.AsArray()).First(l => l!["root_hash"]!.GetValue<string>() == rootHash)!;
        return (id, rootHash, entry["size"]!.GetValue<long>());
    }

    private string LayerPath(string layers, string id) => Path.Combine(layers, group.Settings.Runtime.LayerSrcPrefix.TrimStart('/'), id);

    private static async Task<Answer> SendOnNewConnectionAsync(string socket, string kind, JsonObject input)
    {
        await using var client = await AgentClient.ConnectAsync(socket);
        try
        {
            return new Answer(StatusCode.Ok, string.Empty, await client.SendAsync(kind, input));
        }
        catch (TtrpcException e)
        {
            return new Answer(e.Code, e.Message, null);
        }
    }

    [Fact]
    public void Generated_policies_give_each_layer_the_padded_size_of_its_tardev_image()
    {
        var create = Host.CreateContainer(group.App);
        var (id, _, size) = AppLayer(create);
        var bytes = new FileInfo(group.LayerFile(id)).Length;
        size.Should().Be((bytes + 4095) / 4096 * 4096);
    }

    [Fact]
    public async Task While_a_slow_endless_layer_source_is_copied_other_connections_are_served_and_the_copy_stops_at_the_policy_s_size()
    {
        var layers = CopyOfLayers();
        await using var agent = await StartAsync(layers);
        await SandboxAndPauseAsync(agent);
        var create = Host.CreateContainer(group.App);
        var (id, rootHash, size) = AppLayer(create);
        var fifo = LayerPath(layers, id);
        File.Delete(fifo);
        (await ProcessRunner.RunAsync("mkfifo", [fifo])).EnsureSuccess("mkfifo");

        // The host's endless source: a first chunk, then nothing until the test lets it go on, then bytes without end.
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            var written = 0L;
            var chunk = new byte[64 * 1024];
            await using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
            opened.SetResult();
            try
            {
                // Less than the layer's size, so that the copy goes on waiting for more.
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(size / 2, 4096)));
                written += Math.Min(size / 2, 4096);
                await proceed.Task;
                while (written < 64L * size)
                {
                    await stream.WriteAsync(chunk);
                    written += chunk.Length;
                }
            }
            catch (IOException)
            {
                // The agent closed its end at the bound.
            }

            return written;
        });

        var copying = SendOnNewConnectionAsync(agent.Socket, "CreateContainerRequest", create);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The copy has begun and waits for the host; requests on other connections, state-changing ones included, go on.
        var start = await agent.SendAsync("StartContainerRequest", new JsonObject { ["container_id"] = Host.Sandbox.SandboxId }).WaitAsync(TimeSpan.FromSeconds(20));
        start.Ok.Should().BeTrue(start.Message);
        (await agent.SendAsync("ExecProcessRequest", Host.ExecProcess(group.App, ["/bin/sh", "-c", "id"])).WaitAsync(TimeSpan.FromSeconds(20)))
            .Code.Should().Be(StatusCode.PermissionDenied);
        if (copying.IsCompleted)
        {
            var early = await copying;
            Assert.Fail($"the create must still wait for its layer source, but it answered {early.Code}: {early.Message}");
        }
        agent.State.Should().Contain("\"started\":true");

        proceed.SetResult();
        var answer = await copying.WaitAsync(TimeSpan.FromSeconds(120));
        var written = await writer.WaitAsync(TimeSpan.FromSeconds(60));

        answer.Code.Should().Be(StatusCode.PermissionDenied, answer.Message);
        answer.Message.Should().Contain($"holds more than the {size} bytes the policy gives layer {rootHash}; reading stopped at that bound");
        written.Should().BeLessThan(64L * size, "the agent stopped reading, so the writer's pipe broke");
        agent.State.Should().NotContain(Host.ContainerId(group.App));
    }

    [Fact]
    public async Task A_layer_source_the_host_never_serves_ends_the_create_at_its_deadline_and_blocks_no_one_else()
    {
        var layers = CopyOfLayers();
        await using var agent = await StartAsync(layers);
        await SandboxAndPauseAsync(agent);
        var create = Host.CreateContainer(group.App);
        var (id, _, _) = AppLayer(create);
        var fifo = LayerPath(layers, id);
        File.Delete(fifo);
        (await ProcessRunner.RunAsync("mkfifo", [fifo])).EnsureSuccess("mkfifo");
        try
        {
            await using var client = await AgentClient.ConnectAsync(agent.Socket);
            var payload = PolicyInputReader.Read(create, AgentMethods.ByName["CreateContainer"].Request).ToByteArray();
            var stalled = client.Connection.CallAsync(AgentMethods.Service, "CreateContainer", payload, timeout: TimeSpan.FromSeconds(2));

            (await agent.SendAsync("StartContainerRequest", new JsonObject { ["container_id"] = Host.Sandbox.SandboxId }).WaitAsync(TimeSpan.FromSeconds(20)))
                .Ok.Should().BeTrue("the stalled create holds no gate");
            var answer = async () => await stalled.WaitAsync(TimeSpan.FromSeconds(30));
            (await answer.Should().ThrowAsync<TtrpcException>()).Which.Code.Should().Be(StatusCode.DeadlineExceeded);
            agent.State.Should().NotContain(Host.ContainerId(group.App));
        }
        finally
        {
            // Let the agent's blocked open return (and read end of file), so that no thread stays blocked;
            // if the agent never opened the fifo, this open finds no reader and is given up.
            var release = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0).Dispose());
            await Task.WhenAny(release, Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public async Task An_endless_device_behind_the_layer_file_is_read_only_up_to_the_policy_s_size()
    {
        var layers = CopyOfLayers();
        await using var agent = await StartAsync(layers);
        await SandboxAndPauseAsync(agent);
        var create = Host.CreateContainer(group.App);
        var (id, rootHash, size) = AppLayer(create);
        File.Delete(LayerPath(layers, id));
        File.CreateSymbolicLink(LayerPath(layers, id), "/dev/zero");
        var before = agent.State;

        var answer = await agent.SendAsync("CreateContainerRequest", create).WaitAsync(TimeSpan.FromSeconds(60));

        answer.Code.Should().Be(StatusCode.PermissionDenied);
        answer.Message.Should().Contain($"holds more than the {size} bytes the policy gives layer {rootHash}");
        agent.State.Should().Be(before);
    }

    [Fact]
    public async Task A_layer_source_that_is_not_the_policy_s_layer_file_is_refused_before_it_is_opened()
    {
        var layers = CopyOfLayers();
        await using var agent = await StartAsync(layers);
        await SandboxAndPauseAsync(agent);
        var prefix = group.Settings.Runtime.LayerSrcPrefix;
        var create = Host.CreateContainer(group.App);
        var (id, _, _) = AppLayer(create);
        var otherLayer = create["storages"]!.AsArray().Concat(Host.CreateContainer(group.Pause)["storages"]!.AsArray())
            .Where(s => s!["fstype"]!.GetValue<string>() == "tar").Select(s => s!["mount_point"]!.GetValue<string>().Split('/')[^1]).First(l => l != id);
        var before = agent.State;

        foreach (var source in new[] { "/dev/urandom", "/etc/shadow", $"{prefix}/{id}/../../../../etc/shadow", $"{prefix}/../{id}", $"{prefix}/{otherLayer}", $"{prefix}/{id}/", $"{prefix}/{id}x" })
        {
            var forged = Host.CreateContainer(group.App);
            forged["storages"]![0]!["source"] = source;

            var answer = await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(TimeSpan.FromSeconds(30));

            answer.Code.Should().Be(StatusCode.PermissionDenied, source);
            answer.Message.Should().Be($"CreateContainerRequest: storages[0]: layer source '{source}' is not allowed: it must be the policy's layer file {prefix}/{id}", source);
            agent.State.Should().Be(before);
        }

        (await agent.SendAsync("CreateContainerRequest", create)).Ok.Should().BeTrue("the policy's own layer files are accepted");
    }

    [Fact]
    public async Task An_agent_layer_source_pattern_admits_further_sources_and_nothing_else()
    {
        var layers = CopyOfLayers();
        var create = Host.CreateContainer(group.App);
        var (id, _, _) = AppLayer(create);
        var alternative = Path.Combine(layers, "srv", "layers", "l1");
        Directory.CreateDirectory(Path.GetDirectoryName(alternative)!);
        File.Copy(LayerPath(layers, id), alternative);
        await using var agent = await RunningAgent.StartAsync(group, backend: new DevelopmentBackend(new RuntimeOptions
        {
            StateDirectory = group.NewDirectory("state"),
            LayerSourceRoot = layers,
            LayerSourcePatterns = ["/srv/layers/l[0-9]+"],
        }));
        await SandboxAndPauseAsync(agent);

        var urandom = Host.CreateContainer(group.App);
        urandom["storages"]![0]!["source"] = "/dev/urandom";
        (await agent.SendAsync("CreateContainerRequest", urandom)).Message.Should().Contain("it must be the policy's layer file").And.Contain("or a path matching --layer-source /srv/layers/l[0-9]+");

        create["storages"]![0]!["source"] = "/srv/layers/l1";
        var answer = await agent.SendAsync("CreateContainerRequest", create);
        answer.Ok.Should().BeTrue(answer.Message);
    }

    [Fact]
    public async Task A_policy_that_records_no_layer_sizes_is_bounded_by_the_agent_s_max_layer_bytes()
    {
        var layers = CopyOfLayers();
        var path = Path.Combine(group.NewDirectory("sizeless"), "policy.rego");
        var sizeless = SizeEntry().Replace(group.Policy.PolicyText, string.Empty);
        sizeless.Should().NotContain("\"size\"");
        await File.WriteAllTextAsync(path, sizeless);
        await using var agent = await StartAsync(layers, policyPath: path, maxLayerBytes: 1024 * 1024);
        await SandboxAndPauseAsync(agent);
        var create = Host.CreateContainer(group.App);
        var (id, _, _) = AppLayer(create);
        File.Delete(LayerPath(layers, id));
        File.CreateSymbolicLink(LayerPath(layers, id), "/dev/zero");

        var answer = await agent.SendAsync("CreateContainerRequest", create).WaitAsync(TimeSpan.FromSeconds(60));

        answer.Code.Should().Be(StatusCode.PermissionDenied);
        answer.Message.Should().Contain("holds more than the 1048576 bytes of --max-layer-bytes (the policy records no size for this layer)");
    }

    [GeneratedRegex(@",\s*""size"":\s*\d+")]
    private static partial Regex SizeEntry();
}
