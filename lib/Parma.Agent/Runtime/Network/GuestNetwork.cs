using System.Globalization;
using System.Net.Sockets;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using NetAddress = System.Net.IPAddress;
using ProtoAddress = Parma.Agent.Protocol.IPAddress;

namespace Parma.Agent.Runtime.Network;

/// <summary>
/// Carries out the host's network requests as kata-agent does, over rtnetlink: UpdateInterface finds
/// the interface by its MAC (or, failing that, by name and gives it the MAC), takes it down, adds the
/// addresses, renames it (moving an interface that holds the name out of the way and back), sets its
/// MTU and ARP flag and brings it up; UpdateRoutes adds or replaces routes in the main table (routes
/// without a gateway first, so that gateways are reachable) and answers the resulting table;
/// AddARPNeighbors adds or replaces neighbour entries; ListInterfaces and ListRoutes answer what the
/// kernel has. Each request opens its own netlink socket (in the configured network namespace). Unlike
/// kata-agent, a VFIO NIC is not located through its PCI path in sysfs: a NIC the host names by PCI
/// path is waited for (10 s) until an interface with its MAC or name appears.
/// </summary>
internal sealed class GuestNetwork(string? networkNamespace)
{
    private const int PermissionDeniedErrno = 13;
    private const ushort PermanentState = 0x80;
    private static readonly TimeSpan HotplugPatience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HotplugPoll = TimeSpan.FromMilliseconds(100);

    public Interface UpdateInterface(Interface request)
    {
        var mac = ParseMac(request.HwAddr, "interface.hwAddr");
        if (request.Name.Length is 0 or > 15 || request.Name.Contains('/') || request.Name.Any(char.IsWhiteSpace))
        {
            throw Invalid($"interface.name '{request.Name}' is not an interface name");
        }

        var addresses = request.IPAddresses.Select((a, i) => (Address: ParseAddress(a.Address, $"interface.IPAddresses[{i}].address"), Prefix: ParsePrefix(a, i))).ToList();
        using var netlink = Open();
        var link = FindByMac(netlink, mac);

        // A NIC the host has just hot-plugged (it names its PCI path) may take a moment to appear.
        for (var waited = TimeSpan.Zero; link is null && request.DevicePath.Length > 0 && FindByName(netlink, request.Name) is null && waited < HotplugPatience; waited += HotplugPoll)
        {
            Thread.Sleep(HotplugPoll);
            link = FindByMac(netlink, mac);
        }

        if (link is null)
        {
            // A NIC that kept another MAC (a restored VM template): find it by name and give it this one.
            var named = FindByName(netlink, request.Name) ?? throw new RuntimeException(StatusCode.NotFound, $"no interface has MAC {request.HwAddr} or name {request.Name}");
            netlink.SetLink(named, flags: 0, flagMask: LinkInfo.Up);
            netlink.SetLink(named, mac: mac);
            link = FindByMac(netlink, mac)!;
        }

        if (link.IsUp)
        {
            netlink.SetLink(link, flags: 0, flagMask: LinkInfo.Up);
        }

        foreach (var (address, prefix) in addresses)
        {
            try
            {
                netlink.AddAddress(link, address, prefix);
            }
            catch (NetlinkException e) when (address.AddressFamily == AddressFamily.InterNetworkV6 && e.Errno == PermissionDeniedErrno)
            {
                // EACCES: IPv6 is disabled in the guest, and kata-agent skips IPv6 addresses then too.
            }
        }

        LinkInfo? holder = null;
        if (link.Name != request.Name && FindByName(netlink, request.Name) is { } other)
        {
            netlink.SetLink(other, name: other.Name + "_temp", flags: 0, flagMask: LinkInfo.Up);
            holder = other;
        }

        var flags = LinkInfo.Up | ((request.RawFlags & LinkInfo.NoArp) != 0 ? LinkInfo.NoArp : 0);
        netlink.SetLink(link, name: request.Name, mtu: request.Mtu == 0 ? null : checked((uint)request.Mtu), flags: flags, flagMask: LinkInfo.Up | LinkInfo.NoArp);
        if (holder is not null)
        {
            netlink.SetLink(holder, name: link.Name, flags: LinkInfo.Up, flagMask: LinkInfo.Up);
        }

        return request;
    }

    public Routes UpdateRoutes(IEnumerable<Route> routes)
    {
        using var netlink = Open();
        var links = netlink.Links();
        var ordered = routes.Select((r, i) => (Route: r, Index: i)).OrderBy(r => r.Route.Gateway.Length == 0 ? 0 : 1).ToList();
        foreach (var (route, index) in ordered)
        {
            var link = links.FirstOrDefault(l => l.Name == route.Device) ?? throw new RuntimeException(StatusCode.NotFound, $"routes[{index}]: no interface named {route.Device}");
            netlink.AddRoute(ToKernel(route, index, link));
        }

        return ListRoutes(netlink);
    }

    public Routes ListRoutes()
    {
        using var netlink = Open();
        return ListRoutes(netlink);
    }

    public Interfaces ListInterfaces()
    {
        using var netlink = Open();
        var addresses = netlink.Addresses();
        var answer = new Interfaces();
        foreach (var link in netlink.Links())
        {
            var entry = new Interface { Name = link.Name, HwAddr = FormatMac(link.Mac), Mtu = link.Mtu };
            entry.IPAddresses.AddRange(addresses.Where(a => a.LinkIndex == link.Index).Select(a => new ProtoAddress
            {
                Family = a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPFamily.V6 : IPFamily.V4,
                Address = a.Address.ToString(),
                Mask = a.PrefixLength.ToString(CultureInfo.InvariantCulture),
            }));
            answer.Interfaces_.Add(entry);
        }

        return answer;
    }

    public void AddNeighbours(IEnumerable<ARPNeighbor> neighbours)
    {
        using var netlink = Open();
        var links = netlink.Links();
        foreach (var (neighbour, index) in neighbours.Select((n, i) => (n, i)))
        {
            var address = ParseAddress(neighbour.ToIPAddress?.Address ?? string.Empty, $"neighbors[{index}].toIPAddress.address");
            var link = links.FirstOrDefault(l => l.Name == neighbour.Device) ?? throw new RuntimeException(StatusCode.NotFound, $"neighbors[{index}]: no interface named {neighbour.Device}");
            var lladdr = neighbour.Lladdr.Length == 0 ? null : ParseMac(neighbour.Lladdr, $"neighbors[{index}].lladdr");
            var state = neighbour.State == 0 ? PermanentState : checked((ushort)neighbour.State);
            netlink.AddNeighbour(new NeighbourInfo(link.Index, address, lladdr, state, (byte)neighbour.Flags), link.Name);
        }
    }

    private Routes ListRoutes(RouteNetlink netlink)
    {
        var names = netlink.Links().ToDictionary(l => l.Index, l => l.Name);
        var answer = new Routes();
        foreach (var route in netlink.Routes())
        {
            var v6 = route.Family == AddressFamily.InterNetworkV6;
            var entry = new Route
            {
                Family = v6 ? IPFamily.V6 : IPFamily.V4,
                Scope = route.Scope,
                Device = names.GetValueOrDefault(route.OutputIndex, string.Empty),
                Gateway = route.Gateway?.ToString() ?? string.Empty,
                Mtu = route.Mtu,
                Source = route.PreferredSource?.ToString() ?? (route.Source is null ? string.Empty : $"{route.Source}/{route.SourceLength}"),
                // A default route has no destination; kata-agent names it by the unspecified address.
                Dest = route.Destination is not null ? $"{route.Destination}/{route.DestinationLength}"
                    : route.Gateway is not null ? (v6 ? "::" : "0.0.0.0")
                    : string.Empty,
            };
            if (entry.Dest.Length > 0)
            {
                answer.Routes_.Add(entry);
            }
        }

        return answer;
    }

    /// <summary>
    /// The kernel's form of a requested route. A source that is one address (the host lists the
    /// route's `src`) is the preferred source; a source prefix is a source route.
    /// </summary>
    private static RouteInfo ToKernel(Route route, int index, LinkInfo link)
    {
        var (destination, destinationLength) = route.Dest.Length == 0 ? (null, 0) : ParsePrefixed(route.Dest, $"routes[{index}].dest");
        var gateway = route.Gateway.Length == 0 ? null : ParseAddress(route.Gateway, $"routes[{index}].gateway");
        var (source, sourceLength) = route.Source.Length == 0 ? (null, 0) : ParsePrefixed(route.Source, $"routes[{index}].source");
        var family = new[] { destination, gateway, source }.FirstOrDefault(a => a is not null)?.AddressFamily
            ?? (route.Family == IPFamily.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        if (new[] { destination, gateway, source }.Any(a => a is not null && a.AddressFamily != family))
        {
            throw Invalid($"routes[{index}]: the destination, gateway and source are not all of one address family");
        }

        var full = family == AddressFamily.InterNetworkV6 ? 128 : 32;
        var preferred = source is not null && sourceLength == full;
        return new RouteInfo(
            family,
            destination is null || destinationLength == 0 ? null : destination,
            destination is null ? 0 : destinationLength,
            gateway,
            preferred ? null : source,
            preferred ? 0 : sourceLength,
            preferred ? source : null,
            link.Index,
            checked((byte)route.Scope),
            route.Flags,
            route.Mtu);
    }

    private RouteNetlink Open()
    {
        try
        {
            return new RouteNetlink(NetlinkSocket.Open(networkNamespace));
        }
        catch (NetlinkException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"cannot reach the kernel's routing: {e.Message}");
        }
    }

    private static LinkInfo? FindByMac(RouteNetlink netlink, byte[] mac) => netlink.Links().FirstOrDefault(l => l.Mac.AsSpan().SequenceEqual(mac));

    private static LinkInfo? FindByName(RouteNetlink netlink, string name) => netlink.Links().FirstOrDefault(l => l.Name == name);

    private static int ParsePrefix(ProtoAddress address, int index) =>
        int.TryParse(address.Mask, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= (address.Address.Contains(':') ? 128 : 32)
            ? prefix
            : throw Invalid($"interface.IPAddresses[{index}].mask '{address.Mask}' is not a prefix length");

    private static (NetAddress Address, int Length) ParsePrefixed(string text, string field)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = ParseAddress(slash < 0 ? text : text[..slash], field);
        var full = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (slash < 0)
        {
            return (address, full);
        }

        return int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length <= full
            ? (address, length)
            : throw Invalid($"{field} '{text}' has no valid prefix length");
    }

    private static NetAddress ParseAddress(string text, string field) =>
        NetAddress.TryParse(text, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !text.Contains('%')
            ? address
            : throw Invalid($"{field} '{text}' is not an IP address");

    private static byte[] ParseMac(string text, string field)
    {
        var parts = text.Split(':');
        return parts.Length == 6 && parts.All(p => p.Length == 2 && byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
            ? [.. parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture))]
            : throw Invalid($"{field} '{text}' is not a MAC address");
    }

    /// <summary>As kata-agent prints MACs: upper-case hex pairs.</summary>
    private static string FormatMac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    private static RuntimeException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
