using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Xunit.Abstractions;

namespace Parma.Vm.Tests;

/// <summary>
/// The example group's pod, driven inside a real VM the way a Kata host drives it: the NativeAOT agent
/// binds the group's policy to HOST_DATA (development report), the host replays the simulated trace over
/// ttrpc through a virtio-serial port, layers arrive as read-only virtio-blk devices that the agent
/// opens with dm-verity under the policy's root hashes, overlays are mounted in the policy's order,
/// containers and probes run under runc, and everything is torn down. A layer device with one byte
/// changed, or with a wrong block count in its parameters, is refused; so is a device named in a form
/// the agent's measured command line does not admit (only PCI paths here), and one whose parameters
/// claim more data than the policy's size for the layer (before its data is read). A layer on a slow
/// device is unpacked outside the agent's state gate: other requests are answered meanwhile.
/// The group's emptyDir is an encrypted block volume: the agent encrypts and integrity-protects the
/// writable disk the host attached under a key it makes, formats and mounts it, one container writes it
/// and the other reads it back, and afterwards the host's disk holds neither the data nor a LUKS header;
/// a host that offers an unencrypted disk for the volume (with its own file system, or to be formatted
/// plain) is refused.
/// </summary>
public sealed partial class ExampleGroupInVmTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [VmFact]
    public async Task The_example_group_runs_in_a_VM_from_verity_layers_and_a_tampered_layer_is_refused()
    {
        var total = Stopwatch.StartNew();
        var image = await VmImage.GetAsync();
        var building = Stopwatch.StartNew();
        using var group = await RunnableExampleGroup.CreateAsync();
        var groupTime = building.Elapsed;
        var hello = group.Plan.Containers.Single(c => c.Name == "hello");
        var helloLayer = LayerIdsOf(hello)[1];
        var tampered = new VmDisk(Path.Combine(group.Work, "tampered.img"), TestVm.FirstDiskSlot + group.LayerDisks.Count, ReadOnly: true);
        WriteTampered(group.LayerDisks[helloLayer].File, tampered.File);
        var miscounted = new VmDisk(Path.Combine(group.Work, "miscounted.img"), tampered.Slot + 1, ReadOnly: true);
        WriteMiscounted(group.LayerDisks[helloLayer].File, miscounted.File);
        var oversized = new VmDisk(Path.Combine(group.Work, "oversized.img"), miscounted.Slot + 1, ReadOnly: true);
        WriteOversized(group.LayerDisks[helloLayer].File, oversized.File);
        // hello's layer again, on a disk qemu serves at a quarter of its size a second: unpacking it takes seconds.
        var helloDiskBytes = new FileInfo(group.LayerDisks[helloLayer].File).Length;
        var slow = new VmDisk(Path.Combine(group.Work, "slow.img"), oversized.Slot + 1, ReadOnly: true) { BytesPerSecond = Math.Max(helloDiskBytes / 4, 16 * 1024) };
        File.Copy(group.LayerDisks[helloLayer].File, slow.File);
        var scratch = new VmDisk(Path.Combine(group.Work, "scratch.img"), slow.Slot + 1, ReadOnly: false);
        await ScratchDisks.CreateEmptyAsync(scratch.File, 256L << 20);
        var plain = new VmDisk(Path.Combine(group.Work, "plain.img"), scratch.Slot + 1, ReadOnly: false);
        await ScratchDisks.CreateExt4Async(plain.File, 64L << 20);
        var host = new KataHostSimulator(group.Settings, group.Plan, blockDevices: new Dictionary<string, string> { ["scratch"] = scratch.PciPath });

        await using var vm = await TestVm.StartAsync(new TestVmOptions { PolicyText = group.Policy.PolicyText, Disks = [.. group.LayerDisks.Values, tampered, miscounted, oversized, slow, scratch, plain] });
        output.WriteLine($"image build {image.BuildTime.TotalSeconds:F1} s, group policy and layer disks {groupTime.TotalSeconds:F1} s, qemu start to agent listening {vm.BootTime.TotalSeconds:F1} s");
        vm.Console.Should().Contain($"policy host_data {group.Policy.HostDataHex}", "the agent bound the group's policy to the (development) report's HOST_DATA").And.NotContain("REFUSING");
        await using var agent = await vm.ConnectAsync();

        var trivial = await RoundTripsAsync(agent);
        output.WriteLine($"denied request round trip over virtio-serial: median {trivial.Median:F2} ms, min {trivial.Min:F2} ms (n={trivial.Count})");

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var request in host.StartPod())
        {
            var input = request.Input.DeepClone().AsObject();
            if (request.Kind == "CreateContainerRequest")
            {
                var id = input["container_id"]!.GetValue<string>();
                ids[request.Description["create container ".Length..]] = id;
                await CopySharedFilesAsync(agent, input);
                AttachLayers(input, group);
                if (id == host.ContainerId(hello))
                {
                    var forged = input.DeepClone().AsObject();
                    PointLayerAt(forged, helloLayer, tampered.PciPath);
                    var refused = async () => await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(Patience);
                    (await refused.Should().ThrowAsync<TtrpcException>("a changed byte in a layer device fails dm-verity's check"))
                        .Which.Message.Should().Contain("dm-verity").And.Contain(helloLayer);
                    vm.Console.Should().MatchRegex("verity.*(corrupted|error)", "the kernel's dm-verity refused the block");

                    PointLayerAt(forged, helloLayer, miscounted.PciPath);
                    (await refused.Should().ThrowAsync<TtrpcException>("the host's block count only says where the tree is; a wrong one fails verification"))
                        .Which.Message.Should().Contain("dm-verity");

                    PointLayerAt(forged, helloLayer, "/dev/vda");
                    var wrongForm = (await refused.Should().ThrowAsync<TtrpcException>("the agent's command line admits block devices only by PCI path")).Which;
                    wrongForm.Code.Should().Be(StatusCode.PermissionDenied);
                    wrongForm.Message.Should().Contain("layer source '/dev/vda' is not allowed").And.Contain($"--layer-source {TestVmOptions.PciLayerSources}");

                    PointLayerAt(forged, helloLayer, oversized.PciPath);
                    var tooLarge = (await refused.Should().ThrowAsync<TtrpcException>("the device claims more data blocks than the policy's size for the layer")).Which;
                    tooLarge.Code.Should().Be(StatusCode.PermissionDenied);
                    tooLarge.Message.Should().Contain($"layer device {oversized.PciPath} (/dev/vd").And.Contain($"the policy gives layer {helloLayer}; refused before reading its data");

                    await RefuseUnencryptedScratchAsync(agent, vm, input, group.Settings, plain);

                    // The real create reads hello's layer from the slow disk; requests sent meanwhile are decided (under the
                    // state gate) and answered. Were the device unpacked under the gate, at most the one sent before the create
                    // took it would be.
                    PointLayerAt(input, helloLayer, slow.PciPath);
                    var slowWatch = Stopwatch.StartNew();
                    var creating = agent.SendAsync(request.Kind, input);
                    var served = await ServedWhileAsync(agent, creating);
                    await creating.WaitAsync(Patience);
                    output.WriteLine($"{request.Description} from a slow layer device: {slowWatch.Elapsed.TotalMilliseconds:F0} ms, {served} other requests answered meanwhile");
                    served.Should().BeGreaterThanOrEqualTo(3, "the device is opened and unpacked outside the state gate, which every request takes to be decided");
                    continue;
                }
            }

            var watch = Stopwatch.StartNew();
            await agent.SendAsync(request.Kind, input).WaitAsync(Patience);
            output.WriteLine($"{request.Description}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        var mounts = await vm.RunInGuestAsync("grep -c ' overlay ' /proc/mounts; dmsetup table | grep -c ' verity '; ls /run/parma-agent/.layers | wc -l");
        output.WriteLine($"guest while running:\n{mounts.Output}");
        mounts.Output.Split('\n')[0].Trim().Should().Be("3", "pause, hello and log-shipper each have an overlay root");
        mounts.Output.Split('\n')[1].Trim().Should().Be("0", "verity devices are closed once their layer is unpacked into guest memory");
        mounts.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim().Should().Be(group.LayerDisks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "each distinct layer is unpacked once and shared");

        await CheckEncryptedScratchAsync(agent, vm, host, group, scratch);

        foreach (var request in host.RunAndStopPod())
        {
            if (request.Kind == "ExecProcessRequest" && IsScratchCommand(request.Input))
            {
                continue;
            }

            var watch = Stopwatch.StartNew();
            switch (request.Kind)
            {
                case "ExecProcessRequest":
                    await agent.SendAsync(request.Kind, request.Input).WaitAsync(Patience);
                    var wait = new JsonObject { ["container_id"] = request.Input["container_id"]!.GetValue<string>(), ["exec_id"] = request.Input["exec_id"]!.GetValue<string>() };
                    var status = (WaitProcessResponse)await agent.SendAsync("WaitProcessRequest", wait).WaitAsync(Patience);
                    status.Status.Should().Be(0, $"the probe ({request.Description}) ran in the container's overlay root under runc");
                    break;
                case "WaitProcessRequest":
                    await StopAsync(agent, request.Input);
                    break;
                default:
                    await agent.SendAsync(request.Kind, request.Input).WaitAsync(Patience);
                    break;
            }

            output.WriteLine($"{request.Description}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        await agent.SendAsync("DestroySandboxRequest", new JsonObject()).WaitAsync(Patience);
        var after = await vm.RunInGuestAsync("grep -c -e ' overlay ' -e ' /run/kata-containers/sandbox/shm ' /proc/mounts; dmsetup ls; ls -A /run/parma-agent | wc -l");
        output.WriteLine($"guest after teardown:\n{after.Output}");
        after.Output.Split('\n')[0].Trim().Should().Be("0", "the overlays and the sandbox's shm are unmounted");
        after.Output.Should().Contain("No devices found", "the encrypted scratch's mapping is closed at teardown, so the kernel forgets its key");

        var disk = await File.ReadAllBytesAsync(scratch.File);
        ScratchDisks.Contains(disk, Encoding.ASCII.GetBytes(RunnableExampleGroup.ScratchMarker)).Should().BeFalse("what the container wrote reached the host's disk only encrypted");
        ScratchDisks.Contains(disk, ScratchDisks.LuksMagic).Should().BeFalse("the LUKS2 header (which wraps the volume key) never touches the host's disk");
        ScratchDisks.Contains(disk, ScratchDisks.LuksSecondaryMagic).Should().BeFalse("nor does its secondary copy");
        ScratchDisks.NonZeroBlocks(disk).Should().BeGreaterThan(30, "the guest did write the volume (file system, data, integrity tags)");
        output.WriteLine($"whole test {total.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The layer root hashes of a container, top-most first (as its storages list them).</summary>
    private static List<string> LayerIdsOf(Parma.Policy.Generation.ContainerPlan container) =>
        Parma.Policy.Generation.LayerIds.TopMostFirst(container.Image).Select(l => l.RootHash).ToList();

    /// <summary>Points every layer storage at the PCI path of the disk holding its layer, as the kata shim does when it hot-plugs them.</summary>
    private static void AttachLayers(JsonObject create, RunnableExampleGroup group)
    {
        foreach (var storage in Layers(create))
        {
            storage["source"] = group.LayerDisks[RootHash(storage)].PciPath;
        }
    }

    private static void PointLayerAt(JsonObject create, string rootHash, string pciPath)
    {
        foreach (var storage in Layers(create).Where(s => RootHash(s) == rootHash))
        {
            storage["source"] = pciPath;
        }
    }

    private static IEnumerable<JsonObject> Layers(JsonObject create) =>
        create["storages"]!.AsArray().Select(s => s!.AsObject()).Where(s => s["fstype"]!.GetValue<string>() == "tar");

    private static string RootHash(JsonObject storage) =>
        storage["options"]!.AsArray().Select(o => o!.GetValue<string>()).Single(o => o.StartsWith(LayerVerifier.RootHashOption, StringComparison.Ordinal))[LayerVerifier.RootHashOption.Length..];

    /// <summary>The files a Kata host copies in for a container's bind mounts (hosts, hostname, resolv.conf, termination-log, the ConfigMap volume).</summary>
    private static async Task CopySharedFilesAsync(AgentClient agent, JsonObject create)
    {
        var storagePoints = create["storages"]!.AsArray().Select(s => s!["mount_point"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var mount in create["OCI"]!["Mounts"]!.AsArray().Select(m => m!.AsObject()))
        {
            var source = mount["source"]!.GetValue<string>();
            if (mount["type_"]!.GetValue<string>() != "bind" || !source.StartsWith("/run/kata-containers/shared/containers/", StringComparison.Ordinal) || storagePoints.Contains(source))
            {
                continue;
            }

            var directory = !Path.GetFileName(source).Contains('.', StringComparison.Ordinal) && source.EndsWith("-config", StringComparison.Ordinal);
            var content = Encoding.UTF8.GetBytes(directory ? string.Empty : $"# {Path.GetFileName(source)} from the host\n");
            await agent.CallAsync("CopyFile", new CopyFileRequest
            {
                Path = source,
                FileMode = directory ? 0x41edu : 0x81a4u,
                DirMode = 0x1ed,
                FileSize = content.Length,
                Data = ByteString.CopyFrom(content),
            }).WaitAsync(Patience);
        }
    }

    /// <summary>A host stops a container with SIGTERM and, after a grace period, SIGKILL (a shell as pid 1 ignores SIGTERM).</summary>
    private static async Task StopAsync(AgentClient agent, JsonObject wait)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await agent.SendAsync("WaitProcessRequest", wait, grace.Token);
            return;
        }
        catch (OperationCanceledException)
        {
        }

        await agent.SendAsync("SignalProcessRequest", new JsonObject { ["container_id"] = wait["container_id"]!.GetValue<string>(), ["exec_id"] = wait["exec_id"]!.GetValue<string>(), ["signal"] = 9 }).WaitAsync(Patience);
        var status = (WaitProcessResponse)await agent.SendAsync("WaitProcessRequest", wait).WaitAsync(Patience);
        status.Status.Should().Be(128 + 9);
    }

    private static void WriteTampered(string good, string tampered)
    {
        var bytes = File.ReadAllBytes(good);
        bytes[1024] ^= 0x01;
        File.WriteAllBytes(tampered, bytes);
    }

    /// <summary>
    /// Requests the policy denies (each is decided under the state gate), sent on the same connection while
    /// <paramref name="pending"/> runs; how many were answered before it completed.
    /// </summary>
    private static async Task<int> ServedWhileAsync(AgentClient agent, Task pending)
    {
        var served = 0;
        while (!pending.IsCompleted)
        {
            var denied = async () => await agent.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(new byte[16]) });
            await denied.Should().ThrowAsync<TtrpcException>();
            served += pending.IsCompleted ? 0 : 1;
            await Task.WhenAny(pending, Task.Delay(100));
        }

        return served;
    }

    /// <summary>
    /// The same layer disk with one more (zero) block behind the hash tree and a parameter block that claims one
    /// more data block than the layer has, so the claimed data fits the disk but exceeds the policy's size.
    /// </summary>
    private static void WriteOversized(string good, string oversized)
    {
        var bytes = File.ReadAllBytes(good);
        var parameters = bytes.AsSpan(bytes.Length - 4096).ToArray();
        var count = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(parameters.AsSpan(4096 - 504));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(parameters.AsSpan(4096 - 504), count + 1);
        using var file = File.Create(oversized);
        file.Write(bytes.AsSpan(0, bytes.Length - 4096));
        file.Write(new byte[4096]);
        file.Write(parameters);
    }

    /// <summary>The same layer disk with the data block count in its parameter block one lower (the tree then starts inside the data).</summary>
    private static void WriteMiscounted(string good, string miscounted)
    {
        var bytes = File.ReadAllBytes(good);
        var count = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 504));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 504), count - 1);
        File.WriteAllBytes(miscounted, bytes);
    }

    /// <summary>Round trips of a request the policy denies (ReseedRandomDev is off in the group's defaults): transport plus one decision.</summary>
    private static async Task<(double Median, double Min, int Count)> RoundTripsAsync(AgentClient agent)
    {
        var times = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var watch = Stopwatch.StartNew();
            var denied = async () => await agent.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(new byte[16]) });
            await denied.Should().ThrowAsync<TtrpcException>();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[0], times.Count);
    }
}
