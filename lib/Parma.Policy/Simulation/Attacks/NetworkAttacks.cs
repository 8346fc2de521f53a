using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// UpdateInterface, UpdateRoutes and AddARPNeighbors that reach the loopback device: by its name, by its
/// all-zero hardware address, by a loopback address in any spelling, or by a route without a device.
/// </summary>
internal static class NetworkAttacks
{
    /// <summary>Loopback addresses as a host could spell them, and spellings a lenient parser would read as loopback.</summary>
    public static readonly string[] LoopbackSpellings =
    [
        "127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::0001", "::ffff:127.0.0.1",
        "::FFFF:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:0001", "::127.0.0.1", "::ffff:0:127.0.0.1", "127.1", "0177.0.0.1",
        "0x7f.0.0.1", "2130706433", "127.000.000.001", "::1%lo", "[::1]", " 127.0.0.1", "1:2:3:4:5:6:7:8:9", "1::2::3", "1:2:3:4::5:6:7:8",
        "::ffff:10.0.0.01", "",
    ];

    /// <summary>Hardware addresses of loopback (all zero), broadcast, multicast, none (the agent finds the link by it), or not addresses at all.</summary>
    public static readonly string[] BadHardwareAddresses = ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "FF:FF:FF:FF:FF:FF", "01:00:5e:00:00:01", "33:33:00:00:00:01", "00-00-00-00-00-00", "3a:5f:09:1c:6e", ""];

    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var iface = c.IndexOf("UpdateInterfaceRequest");
        var routes = c.IndexOf("UpdateRoutesRequest");
        var neighbors = c.IndexOf("AddARPNeighborsRequest");
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Change(iface, "interface renamed lo", "interface.name: interface.name", r => r["interface"]!["name"] = "lo"),
            c.Change(iface, "interface lo by its device name", "interface.name: interface.device", r => r["interface"]!["device"] = "lo"),
            c.Change(iface, "interface without a name", "interface.name: interface.name: an interface needs a name", r => r["interface"]!["name"] = string.Empty),
            c.Change(routes, "empty route list (the agent would delete every route)", "route.routes: routes.Routes", r => r["routes"]!["Routes"] = new JsonArray()),
            c.Change(neighbors, "empty neighbour list", "neighbor.neighbors: neighbors.ARPNeighbors", r => r["neighbors"]!["ARPNeighbors"] = new JsonArray()),
            c.Change(iface, "interface put in promiscuous mode", "interface.raw_flags: interface.raw_flags", r => r["interface"]!["raw_flags"] = 0x100),
            c.Variant(iface, "interface without ARP (IFF_NOARP, as Kata sets for some endpoints)", r => r["interface"]!["raw_flags"] = 0x80),
            c.Change(routes, "route through lo", "route.device: routes.Routes[0].device", r => r["routes"]!["Routes"]![0]!["device"] = "lo"),
            c.Change(routes, "route without a device", "route.device: routes.Routes[0].device", r => r["routes"]!["Routes"]![0]!["device"] = string.Empty),
            c.Change(routes, "route to the loopback network", "route.addresses: routes.Routes[0].dest", r => r["routes"]!["Routes"]![0]!["dest"] = "127.0.0.0/8"),
            c.Change(routes, "route to IPv6 loopback", "route.addresses: routes.Routes[0].dest", r => r["routes"]!["Routes"]![0]!["dest"] = "::1/128"),
            c.Change(routes, "route to mapped IPv4 loopback", "route.addresses: routes.Routes[0].dest", r => r["routes"]!["Routes"]![0]!["dest"] = "::ffff:127.0.0.0/104"),
            c.Change(routes, "route with a prefix that is not one", "route.addresses: routes.Routes[0].dest", r => r["routes"]!["Routes"]![0]!["dest"] = "10.0.0.0/129"),
            c.Change(routes, "route through a loopback gateway", "route.addresses: routes.Routes[1].gateway", r => r["routes"]!["Routes"]![1]!["gateway"] = "127.0.0.1"),
            c.Change(routes, "route from a loopback source", "route.addresses: routes.Routes[0].source", r => r["routes"]!["Routes"]![0]!["source"] = "::1"),
            c.Change(routes, "route with two prefix lengths", "route.addresses: routes.Routes[0].dest", r => r["routes"]!["Routes"]![0]!["dest"] = "10.0.0.0/8/8"),
            c.Variant(routes, "route to a service network", r => r["routes"]!["Routes"]![0]!["dest"] = "10.96.0.0/12"),
            c.Change(neighbors, "neighbour on lo", "neighbor.device: neighbors.ARPNeighbors[0].device", r => r["neighbors"]!["ARPNeighbors"]![0]!["device"] = "lo"),
            c.Change(neighbors, "neighbour without a device", "neighbor.device: neighbors.ARPNeighbors[0].device", r => r["neighbors"]!["ARPNeighbors"]![0]!["device"] = string.Empty),
            c.Change(neighbors, "neighbour at a loopback address", "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address", r => r["neighbors"]!["ARPNeighbors"]![0]!["toIPAddress"]!["address"] = "127.0.0.1"),
            c.Change(neighbors, "neighbour at mapped IPv4 loopback", "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address", r => r["neighbors"]!["ARPNeighbors"]![0]!["toIPAddress"]!["address"] = "::ffff:127.0.0.1"),
            c.Change(neighbors, "neighbour with the all-zero address", "neighbor.lladdr: neighbors.ARPNeighbors[0].lladdr", r => r["neighbors"]!["ARPNeighbors"]![0]!["lladdr"] = "00:00:00:00:00:00"),
            c.Variant(neighbors, "neighbour without a hardware address", r => r["neighbors"]!["ARPNeighbors"]![0]!["lladdr"] = string.Empty),
            c.Change(neighbors, "neighbour with the broadcast address", "neighbor.lladdr: neighbors.ARPNeighbors[0].lladdr", r => r["neighbors"]!["ARPNeighbors"]![0]!["lladdr"] = "ff:ff:ff:ff:ff:ff"),
            c.Change(neighbors, "neighbour for a whole network (an address with a mask)", "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address", r => r["neighbors"]!["ARPNeighbors"]![0]!["toIPAddress"]!["mask"] = "24"),
            c.Change(neighbors, "neighbour left incomplete (NUD_INCOMPLETE)", "neighbor.state: neighbors.ARPNeighbors[0].state", r => r["neighbors"]!["ARPNeighbors"]![0]!["state"] = 1),
            c.Change(neighbors, "neighbour without ARP state (NUD_NOARP)", "neighbor.state: neighbors.ARPNeighbors[0].state", r => r["neighbors"]!["ARPNeighbors"]![0]!["state"] = 64),
            c.Variant(neighbors, "neighbour reachable (NUD_REACHABLE)", r => r["neighbors"]!["ARPNeighbors"]![0]!["state"] = 2),
            c.Change(neighbors, "neighbour entry on the device itself (NTF_SELF)", "neighbor.flags: neighbors.ARPNeighbors[0].flags", r => r["neighbors"]!["ARPNeighbors"]![0]!["flags"] = 2),
            c.Variant(neighbors, "neighbour that is a router and a proxy (NTF_ROUTER, NTF_PROXY)", r => r["neighbors"]!["ARPNeighbors"]![0]!["flags"] = 136),
        };

        foreach (var address in LoopbackSpellings)
        {
            attacks.Add(c.Change(iface, $"interface address '{address}'", "interface.addresses: interface.IPAddresses[0].address", r => r["interface"]!["IPAddresses"]![0]!["address"] = address));
        }

        foreach (var hardware in BadHardwareAddresses)
        {
            attacks.Add(c.Change(iface, $"interface hardware address '{hardware}'", "interface.hw_addr: interface.hwAddr", r => r["interface"]!["hwAddr"] = hardware));
        }

        foreach (var address in new[] { "fe80::1", "2001:db8::7", "2001:db8:0:0:0:0:0:7", "::ffff:10.244.1.7", "fd00::ffff:7f00:1", "10.127.0.1" })
        {
            attacks.Add(c.Variant(iface, $"interface address '{address}'", r => r["interface"]!["IPAddresses"]![0]!["address"] = address));
        }

        return attacks.SelectMany(a => a);
    }
}
