using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Parma.Agent.Enforcement;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// Layer storages whose host-chosen source is a block device (a Kata PCI path or a /dev name) obey the
/// same rule as layer files: accepted only through an agent --layer-source pattern (the policy's layer
/// file is never a device), and bounded by the policy's size for the layer, checked against the data
/// size the device's own tardev parameters claim before any data is read. (Opening and unpacking real
/// devices, and the same refusals against real virtio disks, are in tests/Parma.Vm.Tests.)
/// </summary>
public sealed class DeviceLayerSourceTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    /// <summary>The pattern a guest image passes when its runtime attaches layers as PCI block devices (docs/guest-image.md).</summary>
    private const string PciPaths = "[0-9a-f]{2}(/[0-9a-f]{2})*";

    private KataHostSimulator Host => new(group.Settings, group.Plan);

    private async Task<RunningAgent> StartAsync(params string[] patterns)
    {
        var agent = await RunningAgent.StartAsync(group, backend: new DevelopmentBackend(new RuntimeOptions
        {
            StateDirectory = group.NewDirectory("state"),
            LayerSourceRoot = group.LayerRoot,
            LayerSourcePatterns = patterns,
        }));
        foreach (var request in Host.StartPod().Take(2))
        {
            var answer = await agent.SendAsync(request.Kind, request.Input);
            answer.Ok.Should().BeTrue($"{request.Description}: {answer.Message}");
        }

        return agent;
    }

    private static string LayerIdOf(JsonObject create) => create["storages"]![0]!["mount_point"]!.GetValue<string>().Split('/')[^1];

    [Fact]
    public async Task A_block_device_layer_source_is_refused_unless_an_agent_pattern_admits_its_form()
    {
        var prefix = group.Settings.Runtime.LayerSrcPrefix;
        await using (var agent = await StartAsync())
        {
            var before = agent.State;
            foreach (var source in new[] { "05", "02/00", "/dev/vda", "/dev/loop0" })
            {
                var forged = Host.CreateContainer(group.App);
                forged["storages"]![0]!["source"] = source;

                var answer = await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(TimeSpan.FromSeconds(30));

                answer.Code.Should().Be(StatusCode.PermissionDenied, source);
                answer.Message.Should().Be($"CreateContainerRequest: storages[0]: layer source '{source}' is not allowed: it must be the policy's layer file {prefix}/{LayerIdOf(forged)}", source);
                agent.State.Should().Be(before);
            }
        }

        // An agent whose measured command line admits Kata's PCI paths still refuses other device forms.
        await using (var agent = await StartAsync(PciPaths))
        {
            var before = agent.State;
            var forged = Host.CreateContainer(group.App);
            forged["storages"]![0]!["source"] = "/dev/vda";
            var answer = await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(TimeSpan.FromSeconds(30));
            answer.Code.Should().Be(StatusCode.PermissionDenied);
            answer.Message.Should().Contain("layer source '/dev/vda' is not allowed").And.Contain($"or a path matching --layer-source {PciPaths}");

            // The pattern matches nine hops, which are no PCI path (at most eight) and no absolute file either.
            forged["storages"]![0]!["source"] = "00/00/00/00/00/00/00/00/00";
            answer = await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(TimeSpan.FromSeconds(30));
            answer.Code.Should().Be(StatusCode.InvalidArgument);
            answer.Message.Should().Contain("is neither a block device (a PCI path such as 02/00, or /dev/NAME) nor an absolute file path");
            agent.State.Should().Be(before);
        }
    }

    [Fact]
    public void A_block_device_admitted_by_a_pattern_is_bounded_by_the_policy_s_layer_size()
    {
        var source = DeviceSource("02/00", PolicyLayerSources.Read(PolicyEngine.Load(group.Policy.PolicyText)));

        source.OnBlockDevice.Should().BeTrue();
        source.Path.Should().Be("02/00", "a device source is resolved when it is opened, not under --layer-root");
        source.BoundByAgent.Should().BeFalse();
        source.MaxBytes.Should().Be(PolicySize(source.ExpectedRootHash));
    }

    [Fact]
    public void A_block_device_whose_parameters_claim_more_data_than_the_policy_s_size_is_refused_before_its_data_is_read()
    {
        var source = DeviceSource("05", PolicyLayerSources.Read(PolicyEngine.Load(group.Policy.PolicyText)));
        var allowedBlocks = source.MaxBytes / LayerDevice.BlockSize;
        var layer = File.ReadAllBytes(group.LayerFile(source.LayerId));
        var directory = group.NewDirectory("devices");

        // The host's disk: the real layer, then one more data block than the policy's size, a hash block and the parameters.
        var oversized = WriteTardevImage(Path.Combine(directory, "oversized.img"), layer, dataBlocks: allowedBlocks + 1);
        using (var image = new ReadRecorder(File.OpenRead(oversized)))
        {
            var device = LayerDevice.Read(image, "/dev/vdc", image.Length, "storages[0]");
            device.DataBlocks.Should().Be(allowedBlocks + 1);

            var bounded = () => LayerVerifier.WithinBound(source, device);

            var refusal = bounded.Should().Throw<RuntimeException>().Which;
            refusal.Code.Should().Be(StatusCode.PermissionDenied);
            refusal.Message.Should().Be(
                $"storages[0]: layer device 05 (/dev/vdc) claims {allowedBlocks + 1} data blocks ({(allowedBlocks + 1) * LayerDevice.BlockSize} bytes), "
                + $"more than the {source.MaxBytes} bytes the policy gives layer {source.ExpectedRootHash}; refused before reading its data");
            image.LowestOffsetRead.Should().Be(image.Length - LayerDevice.BlockSize, "only the parameter block was read");
        }

        // The honest disk claims exactly the policy's size and passes the bound.
        var honest = WriteTardevImage(Path.Combine(directory, "honest.img"), layer, dataBlocks: allowedBlocks);
        using (var image = File.OpenRead(honest))
        {
            LayerVerifier.WithinBound(source, LayerDevice.Read(image, "/dev/vdb", image.Length, "storages[0]")).DataSize.Should().Be(source.MaxBytes);
        }
    }

    [Fact]
    public void A_block_device_for_a_policy_without_layer_sizes_is_bounded_by_the_agent_s_max_layer_bytes()
    {
        var policyWithoutSizes = new LayerSourcePolicy(group.Settings.Runtime.LayerSrcPrefix, new Dictionary<string, long>());
        var sizeless = DeviceSource("05", policyWithoutSizes, maxLayerBytes: 8 * LayerDevice.BlockSize);
        sizeless.BoundByAgent.Should().BeTrue();
        var path = WriteTardevImage(Path.Combine(group.NewDirectory("devices"), "nine.img"), [1, 2, 3], dataBlocks: 9);
        using var image = File.OpenRead(path);

        var bounded = () => LayerVerifier.WithinBound(sizeless, LayerDevice.Read(image, "/dev/vdb", image.Length, "storages[0]"));

        bounded.Should().Throw<RuntimeException>().Which.Message.Should()
            .Contain("claims 9 data blocks (36864 bytes), more than the 32768 bytes of --max-layer-bytes (the policy records no size for this layer)");
    }

    /// <summary>The app's first layer storage, its source set to <paramref name="device"/>, as the verifier of an agent admitting PCI paths sees it.</summary>
    private LayerSource DeviceSource(string device, LayerSourcePolicy policy, long maxLayerBytes = RuntimeOptions.DefaultMaxLayerBytes)
    {
        var create = Host.CreateContainer(group.App);
        create["storages"]![0]!["source"] = device;
        var request = (CreateContainerRequest)PolicyInputReader.Read(create, AgentMethods.ByName["CreateContainer"].Request);
        var verifier = new LayerVerifier(new RuntimeOptions { StateDirectory = group.NewDirectory("state"), LayerSourceRoot = group.LayerRoot, LayerSourcePatterns = [PciPaths], MaxLayerBytes = maxLayerBytes });
        return verifier.Sources(request, policy).Single(s => s.Index == 0);
    }

    private long PolicySize(string rootHash) =>
        group.Policy.PolicyData["containers"]!.AsArray().SelectMany(c => c!["layers"]!.AsArray()).First(l => l!["root_hash"]!.GetValue<string>() == rootHash)!["size"]!.GetValue<long>();

    /// <summary>
    /// A disk in Kata's tardev layout whose parameters claim <paramref name="dataBlocks"/> data blocks: the layer
    /// zero-padded to that many blocks, one (unfilled) hash block, and the parameter block.
    /// </summary>
    private static string WriteTardevImage(string path, byte[] layer, long dataBlocks)
    {
        using var file = File.Create(path);
        file.Write(layer);
        var parameters = new byte[LayerDevice.BlockSize];
        BinaryPrimitives.WriteUInt32LittleEndian(parameters.AsSpan(LayerDevice.BlockSize - 512), LayerDevice.BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(parameters.AsSpan(LayerDevice.BlockSize - 508), LayerDevice.BlockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(parameters.AsSpan(LayerDevice.BlockSize - 504), (ulong)dataBlocks);
        file.SetLength((dataBlocks + 1) * LayerDevice.BlockSize);
        file.Seek(0, SeekOrigin.End);
        file.Write(parameters);
        return path;
    }

    /// <summary>A read-only stream that records the lowest offset it was read from.</summary>
    private sealed class ReadRecorder(Stream inner) : Stream
    {
        public long LowestOffsetRead { get; private set; } = long.MaxValue;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            LowestOffsetRead = Math.Min(LowestOffsetRead, inner.Position);
            return inner.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            LowestOffsetRead = Math.Min(LowestOffsetRead, inner.Position);
            return inner.Read(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
