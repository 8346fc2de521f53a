using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The network requests of a Kata host, served over the socket by the Linux backend in a network
/// namespace the test makes (a veth pair standing in for the UVM's NIC), and checked with iproute2:
/// the interface renamed, addressed, sized and up; routes and a neighbour in the kernel's tables; the
/// lists answered from the kernel. Loopback and disallowed flags are denied by the policy first.
/// </summary>
public sealed class NetworkTests(SwitchedOnGroup open, ProbeGroup plain) : IClassFixture<SwitchedOnGroup>, IClassFixture<ProbeGroup>
{
    private const string Mac = "66:74:9f:6a:96:01";

    [NetnsFact]
    public async Task The_interface_routes_and_neighbours_a_Kata_host_sends_are_configured_in_the_kernel()
    {
        await using var netns = await TestNamespace.CreateAsync();
        await using var agent = await RunningAgent.StartAsync(open.Group, backend: Backend(open.Group, netns));

        var iface = await agent.CallAsync("UpdateInterface", new UpdateInterfaceRequest
        {
            Interface = new Interface
            {
                Device = "eth0", Name = "eth0", HwAddr = Mac, Mtu = 1450, RawFlags = 0,
                IPAddresses =
                {
                    new IPAddress { Family = IPFamily.V4, Address = "10.244.0.14", Mask = "24" },
                    new IPAddress { Family = IPFamily.V6, Address = "fd00::14", Mask = "64" },
                },
            },
        });
        iface.Ok.Should().BeTrue(iface.Message);
        ((Interface)iface.Response!).Name.Should().Be("eth0");
        var link = (await netns.JsonAsync("-d", "addr", "show", "dev", "eth0")).AsArray().Single()!;
        link["address"]!.GetValue<string>().Should().Be(Mac);
        link["mtu"]!.GetValue<int>().Should().Be(1450);
        link["flags"]!.AsArray().Select(f => f!.GetValue<string>()).Should().Contain("UP").And.NotContain("NOARP");
        link["addr_info"]!.AsArray().Select(a => $"{a!["local"]}/{a["prefixlen"]}").Should().Contain(["10.244.0.14/24", "fd00::14/64"]);

        var routes = await agent.CallAsync("UpdateRoutes", new UpdateRoutesRequest
        {
            Routes = new Routes
            {
                Routes_ =
                {
                    new Route { Dest = "10.96.0.0/12", Gateway = "10.244.0.1", Device = "eth0" },
                    new Route { Gateway = "10.244.0.1", Device = "eth0" },
                    new Route { Dest = "10.245.0.0/24", Device = "eth0", Scope = 253, Source = "10.244.0.14", Mtu = 1400 },
                },
            },
        });
        routes.Ok.Should().BeTrue(routes.Message);
        var table = (await netns.JsonAsync("route", "show")).AsArray().Select(r => r!.AsObject()).ToList();
        table.Should().Contain(r => r["dst"]!.GetValue<string>() == "default" && r["gateway"]!.GetValue<string>() == "10.244.0.1" && r["dev"]!.GetValue<string>() == "eth0");
        table.Should().Contain(r => r["dst"]!.GetValue<string>() == "10.96.0.0/12" && r["gateway"]!.GetValue<string>() == "10.244.0.1");
        table.Should().Contain(r => r["dst"]!.GetValue<string>() == "10.245.0.0/24" && r["scope"]!.GetValue<string>() == "link"
            && r["prefsrc"]!.GetValue<string>() == "10.244.0.14" && r["metrics"]![0]!["mtu"]!.GetValue<int>() == 1400);
        var answered = ((Routes)routes.Response!).Routes_;
        answered.Should().Contain(r => r.Dest == "0.0.0.0" && r.Gateway == "10.244.0.1" && r.Device == "eth0", "UpdateRoutes answers the table as it now is");
        answered.Should().Contain(r => r.Dest == "10.245.0.0/24" && r.Source == "10.244.0.14" && r.Scope == 253 && r.Mtu == 1400);

        var neighbours = await agent.CallAsync("AddARPNeighbors", new AddARPNeighborsRequest
        {
            Neighbors = new ARPNeighbors { ARPNeighbors_ = { new ARPNeighbor { ToIPAddress = new IPAddress { Address = "10.244.0.1" }, Device = "eth0", Lladdr = "00:00:5e:00:53:01", State = 128 } } },
        });
        neighbours.Ok.Should().BeTrue(neighbours.Message);
        var neighbour = (await netns.JsonAsync("neigh", "show", "dev", "eth0")).AsArray().Single(n => n!["dst"]!.GetValue<string>() == "10.244.0.1")!;
        neighbour["lladdr"]!.GetValue<string>().Should().Be("00:00:5e:00:53:01");
        neighbour["state"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Contain("PERMANENT");

        var listed = await agent.CallAsync("ListInterfaces", new ListInterfacesRequest());
        listed.Ok.Should().BeTrue(listed.Message);
        var eth0 = ((Interfaces)listed.Response!).Interfaces_.Single(i => i.Name == "eth0");
        eth0.HwAddr.Should().Be(Mac.ToUpperInvariant(), "kata-agent lists MACs in upper case");
        eth0.Mtu.Should().Be(1450);
        eth0.IPAddresses.Should().Contain(a => a.Address == "10.244.0.14" && a.Mask == "24" && a.Family == IPFamily.V4);
        eth0.IPAddresses.Should().Contain(a => a.Address == "fd00::14" && a.Family == IPFamily.V6);
        var listedRoutes = await agent.CallAsync("ListRoutes", new ListRoutesRequest());
        ((Routes)listedRoutes.Response!).Routes_.Should().Contain(r => r.Dest == "10.96.0.0/12" && r.Gateway == "10.244.0.1" && r.Family == IPFamily.V4);
    }

    [NetnsFact]
    public async Task A_name_in_use_is_moved_aside_and_back_and_an_unknown_interface_is_not_found()
    {
        await using var netns = await TestNamespace.CreateAsync();
        await using var agent = await RunningAgent.StartAsync(open.Group, backend: Backend(open.Group, netns));
        var iface = await agent.CallAsync("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "veth1", HwAddr = Mac, Mtu = 1500 } });
        iface.Ok.Should().BeTrue(iface.Message);
        var names = (await netns.JsonAsync("link", "show")).AsArray().ToDictionary(l => l!["address"]!.GetValue<string>(), l => l!["ifname"]!.GetValue<string>());
        names[Mac].Should().Be("veth1", "the interface with the MAC takes the name");
        names.Values.Should().Contain("veth0", "the interface that had the name takes the old one");

        var missing = await agent.CallAsync("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "eth9", HwAddr = "66:74:9f:00:00:09" } });
        missing.Code.Should().Be(StatusCode.NotFound);
        var badMask = await agent.CallAsync("UpdateInterface", new UpdateInterfaceRequest
        {
            Interface = new Interface { Name = "veth1", HwAddr = Mac, IPAddresses = { new IPAddress { Address = "10.0.0.1", Mask = "255.255.255.0" } } },
        });
        badMask.Code.Should().Be(StatusCode.InvalidArgument);
        badMask.Message.Should().Contain("mask");
    }

    [NetnsFact]
    public async Task Loopback_forbidden_flags_and_diagnostics_are_denied_by_the_default_policy_and_change_nothing()
    {
        await using var netns = await TestNamespace.CreateAsync();
        await using var agent = await RunningAgent.StartAsync(plain, backend: Backend(plain, netns));
        var before = await netns.RunAsync("addr", "show");
        var denied = new (string Method, Google.Protobuf.IMessage Request, string Reason)[]
        {
            ("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "lo", HwAddr = Mac } }, "interface.name"),
            ("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "eth0", HwAddr = Mac, RawFlags = 0x40 } }, "interface.raw_flags"),
            ("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "eth0", HwAddr = "00:00:00:00:00:00" } }, "interface.hw_addr"),
            ("UpdateInterface", new UpdateInterfaceRequest { Interface = new Interface { Name = "eth0", HwAddr = Mac, IPAddresses = { new IPAddress { Address = "127.0.0.2", Mask = "8" } } } }, "interface.addresses"),
            ("UpdateInterface", new UpdateInterfaceRequest(), "interface.name"),
            ("UpdateRoutes", new UpdateRoutesRequest { Routes = new Routes { Routes_ = { new Route { Gateway = "10.0.0.1", Device = "lo" } } } }, "route.device"),
            ("UpdateRoutes", new UpdateRoutesRequest { Routes = new Routes { Routes_ = { new Route { Dest = "10.1.0.0/16", Device = "veth0", Source = "::1" } } } }, "route.addresses"),
            ("AddARPNeighbors", new AddARPNeighborsRequest { Neighbors = new ARPNeighbors { ARPNeighbors_ = { new ARPNeighbor { ToIPAddress = new IPAddress { Address = "10.0.0.1" }, Device = "veth0", State = 0 } } } }, "neighbor.state"),
            ("AddARPNeighbors", new AddARPNeighborsRequest { Neighbors = new ARPNeighbors { ARPNeighbors_ = { new ARPNeighbor { ToIPAddress = new IPAddress { Address = "127.1.2.3" }, Device = "veth0", State = 128 } } } }, "neighbor.address"),
            ("ListInterfaces", new ListInterfacesRequest(), "switch.ListInterfacesRequest"),
            ("ListRoutes", new ListRoutesRequest(), "switch.ListRoutesRequest"),
        };
        foreach (var (method, request, reason) in denied)
        {
            var answer = await agent.CallAsync(method, request);
            answer.Code.Should().Be(StatusCode.PermissionDenied, $"{method} {request}");
            answer.Message.Should().Contain(reason, $"{method} {request}");
        }

        (await netns.RunAsync("addr", "show")).Should().Be(before);
    }

    [IptablesFact]
    public async Task Get_iptables_answers_the_namespaces_rules_when_diagnostics_are_on()
    {
        await using var netns = await TestNamespace.CreateAsync();
        (await ProcessRunner.RunAsync("ip", ["netns", "exec", netns.Name, "iptables", "-A", "INPUT", "-s", "10.9.9.9", "-j", "DROP"])).EnsureSuccess("iptables -A");
        await using var agent = await RunningAgent.StartAsync(open.Group, backend: Backend(open.Group, netns));
        var answer = await agent.CallAsync("GetIPTables", new GetIPTablesRequest());
        answer.Ok.Should().BeTrue(answer.Message);
        ((GetIPTablesResponse)answer.Response!).Data.ToStringUtf8().Should().Contain("-A INPUT -s 10.9.9.9/32 -j DROP");
        (await agent.CallAsync("SetIPTables", new SetIPTablesRequest { Data = Google.Protobuf.ByteString.CopyFromUtf8("*filter\nCOMMIT\n") })).Code.Should().Be(StatusCode.PermissionDenied);
    }

    private static LinuxBackend Backend(ProbeGroup group, TestNamespace netns) =>
        new(new RuntimeOptions { StateDirectory = group.NewDirectory("net-state"), NetworkNamespace = netns.Path, VerifyLayers = false, LayerMounts = LayerMounts.Off });

    /// <summary>A named network namespace (ip netns add) with a veth pair, veth0 carrying the NIC's MAC; deleted on dispose.</summary>
    private sealed class TestNamespace : IAsyncDisposable
    {
        private TestNamespace(string name) => Name = name;

        public string Name { get; }

        public string Path => $"/run/netns/{Name}";

        public static async Task<TestNamespace> CreateAsync()
        {
            var netns = new TestNamespace("parma-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
            (await ProcessRunner.RunAsync("ip", ["netns", "add", netns.Name])).EnsureSuccess("ip netns add");
            await netns.RunAsync("link", "add", "veth0", "address", Mac, "type", "veth", "peer", "name", "veth1");
            await netns.RunAsync("link", "set", "veth1", "up");
            return netns;
        }

        public async Task<string> RunAsync(params string[] arguments) =>
            (await ProcessRunner.RunAsync("ip", ["-n", Name, .. arguments])).EnsureSuccess($"ip {string.Join(' ', arguments)}").StandardOutput;

        public async Task<JsonNode> JsonAsync(params string[] arguments) => JsonNode.Parse(await RunAsync(["-j", .. arguments]))!;

        public async ValueTask DisposeAsync() => await ProcessRunner.RunAsync("ip", ["netns", "delete", Name]);
    }
}

/// <summary>Runs where <see cref="NetnsFactAttribute"/> runs and iptables is installed.</summary>
public sealed class IptablesFactAttribute : FactAttribute
{
    public IptablesFactAttribute()
    {
        Skip = new NetnsFactAttribute().Skip ?? (ProcessRunner.Find("iptables-save") is null ? "iptables is not installed" : null);
    }
}

/// <summary>Runs where this process may make network namespaces and has iproute2 (root; scripts/setup.sh installs iproute2).</summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "making network namespaces needs root";
        }
        else if (ProcessRunner.Find("ip") is null)
        {
            Skip = "iproute2's ip is not installed";
        }
    }
}
