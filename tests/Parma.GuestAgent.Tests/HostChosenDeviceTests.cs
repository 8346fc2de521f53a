using Parma.Agent.Runtime;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The parts of the block-device and virtio-serial paths the host chooses: which device a layer
/// storage names, and where the agent listens. (Opening real devices is proven in tests/Parma.Vm.Tests.)
/// </summary>
public sealed class HostChosenDeviceTests
{
    [Theory]
    [InlineData("05", true)]
    [InlineData("02/00", true)]
    [InlineData("02.1/1f", true)]
    [InlineData("/dev/vdb", true)]
    [InlineData("/var/lib/containerd/io.containerd.snapshotter.v1.tardev/layers/abc", false)]
    [InlineData("5", false)]
    [InlineData("02/", false)]
    [InlineData("0g", false)]
    public void A_layer_source_is_a_block_device_only_in_Kata_s_PCI_path_or_dev_form(string source, bool device) =>
        LayerDevice.IsDeviceSource(source).Should().Be(device);

    [Theory]
    [InlineData("/dev/mapper/parma-x")]
    [InlineData("/dev/../etc/shadow")]
    [InlineData("/dev/dm-0")]
    [InlineData("/dev/")]
    public async Task A_dev_source_must_be_a_plain_block_device_name(string source)
    {
        var resolve = () => LayerDevice.ResolveAsync(source, "storages[0]", CancellationToken.None);
        (await resolve.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public void A_path_that_is_not_a_block_device_is_refused_before_anything_is_read()
    {
        var open = () => LayerDevice.Open("/dev/null", "storages[1]");
        open.Should().Throw<RuntimeException>().Which.Message.Should().Contain("storages[1]").And.Contain("not a block device");
    }

    [Fact]
    public void Serial_addresses_listen_on_a_port_and_are_not_endpoints_a_host_connects_to()
    {
        AgentAddress.Listener("serial:agent.channel.0").Should().BeOfType<VirtioSerialAgentListener>().Which.Address.Should().Be("serial:agent.channel.0");
        var empty = () => AgentAddress.Listener("serial:");
        empty.Should().Throw<ArgumentException>().WithMessage("*port name*");
        var connect = () => AgentAddress.EndPoint("serial:agent.channel.0");
        connect.Should().Throw<ArgumentException>().WithMessage("*unix:PATH*");
    }

    [Fact]
    public void A_missing_port_device_fails_the_start_naming_it()
    {
        using var listener = new VirtioSerialAgentListener("/dev/parma-no-such-port");
        var start = () => listener.Start();
        start.Should().Throw<IOException>().WithMessage("*/dev/parma-no-such-port*");
    }
}
