using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parma.Agent.Runtime.Network;

/// <summary>A network interface as the kernel lists it.</summary>
internal sealed record LinkInfo(int Index, string Name, byte[] Mac, uint Mtu, uint Flags)
{
    public const uint Up = 0x1;
    public const uint NoArp = 0x80;

    public bool IsUp => (Flags & Up) != 0;
}

/// <summary>An address of an interface: the address and its prefix length.</summary>
internal sealed record AddressInfo(int LinkIndex, IPAddress Address, int PrefixLength);

/// <summary>
/// A route of the main table. <see cref="Destination"/> is null for a default route;
/// <see cref="Source"/> is a source prefix (source routing), <see cref="PreferredSource"/> the
/// address the kernel picks for traffic on the route (`ip route … src`).
/// </summary>
internal sealed record RouteInfo(
    AddressFamily Family,
    IPAddress? Destination,
    int DestinationLength,
    IPAddress? Gateway,
    IPAddress? Source,
    int SourceLength,
    IPAddress? PreferredSource,
    int OutputIndex,
    byte Scope,
    uint Flags,
    uint Mtu);

/// <summary>An ARP (or NDP) neighbour entry to add.</summary>
internal sealed record NeighbourInfo(int LinkIndex, IPAddress Address, byte[]? LinkAddress, ushort State, byte Flags);

/// <summary>
/// The rtnetlink requests the agent makes: links (dump, set name/MTU/MAC/flags), addresses (add
/// with replace, dump), routes of the main table (add with replace, dump) and neighbours (add with
/// replace). Message and attribute numbers are those of linux/rtnetlink.h and linux/if_link.h.
/// </summary>
internal sealed class RouteNetlink(NetlinkSocket socket) : IDisposable
{
    private const ushort NewLink = 16;
    private const ushort GetLink = 18;
    private const ushort SetLinkMessage = 19;
    private const ushort NewAddress = 20;
    private const ushort GetAddress = 22;
    private const ushort NewRoute = 24;
    private const ushort GetRoute = 26;
    private const ushort NewNeighbour = 28;

    private const ushort Replace = 0x100;
    private const ushort Create = 0x400;

    private const ushort LinkAddressAttribute = 1;
    private const ushort LinkNameAttribute = 3;
    private const ushort LinkMtuAttribute = 4;
    private const ushort AddressAttribute = 1;
    private const ushort LocalAttribute = 2;
    private const ushort RouteDestination = 1;
    private const ushort RouteSource = 2;
    private const ushort RouteOutput = 4;
    private const ushort RouteGateway = 5;
    private const ushort RoutePreferredSource = 7;
    private const ushort RouteMetrics = 8;
    private const ushort RouteTable = 15;
    private const ushort MetricMtu = 2;
    private const ushort NeighbourDestination = 1;
    private const ushort NeighbourLinkAddress = 2;

    public const byte MainTable = 254;
    private const byte BootProtocol = 3;
    private const byte UnicastRoute = 1;

    private const int LinkHeader = 16;
    private const int AddressHeader = 8;
    private const int RouteHeader = 12;
    private const int NeighbourHeader = 12;

    public List<LinkInfo> Links() =>
        [.. socket.Dump(GetLink, new NetlinkRequest(LinkHeader).ToArray(), "list interfaces").Where(m => m.Type == NewLink).Select(ReadLink)];

    /// <summary>
    /// Changes a link: its name, MTU and MAC when given, and the flags in <paramref name="flagMask"/>
    /// to those in <paramref name="flags"/> (IFF_UP, IFF_NOARP).
    /// </summary>
    public void SetLink(LinkInfo link, string? name = null, uint? mtu = null, byte[]? mac = null, uint flags = 0, uint flagMask = 0)
    {
        var request = new NetlinkRequest(LinkHeader).U32(4, (uint)link.Index).U32(8, flags).U32(12, flagMask);
        if (name is not null)
        {
            request.Attribute(LinkNameAttribute, name);
        }

        if (mtu is { } m)
        {
            request.Attribute(LinkMtuAttribute, m);
        }

        if (mac is not null)
        {
            request.Attribute(LinkAddressAttribute, mac);
        }

        socket.Execute(SetLinkMessage, 0, request.ToArray(), $"set interface {link.Name}");
    }

    public void AddAddress(LinkInfo link, IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        var request = new NetlinkRequest(AddressHeader)
            .U8(0, Family(address.AddressFamily))
            .U8(1, (byte)prefixLength)
            .U32(4, (uint)link.Index)
            .Attribute(LocalAttribute, bytes)
            .Attribute(AddressAttribute, bytes);
        socket.Execute(NewAddress, Create | Replace, request.ToArray(), $"add address {address}/{prefixLength} to {link.Name}");
    }

    public List<AddressInfo> Addresses()
    {
        var addresses = new List<AddressInfo>();
        foreach (var message in socket.Dump(GetAddress, new NetlinkRequest(AddressHeader).ToArray(), "list addresses").Where(m => m.Type == NewAddress))
        {
            var attributes = message.Attributes(AddressHeader);
            var bytes = attributes.GetValueOrDefault(AddressAttribute) ?? attributes.GetValueOrDefault(LocalAttribute);
            if (bytes is { Length: 4 or 16 })
            {
                addresses.Add(new AddressInfo((int)BinaryPrimitives.ReadUInt32LittleEndian(message.Body.AsSpan(4)), new IPAddress(bytes), message.Body[1]));
            }
        }

        return addresses;
    }

    public void AddRoute(RouteInfo route)
    {
        var request = new NetlinkRequest(RouteHeader)
            .U8(0, Family(route.Family))
            .U8(1, (byte)route.DestinationLength)
            .U8(2, (byte)route.SourceLength)
            .U8(4, MainTable)
            .U8(5, BootProtocol)
            .U8(6, route.Scope)
            .U8(7, UnicastRoute)
            .U32(8, route.Flags)
            .Attribute(RouteTable, MainTable)
            .Attribute(RouteOutput, (uint)route.OutputIndex);
        if (route.Destination is not null)
        {
            request.Attribute(RouteDestination, route.Destination.GetAddressBytes());
        }

        if (route.Source is not null)
        {
            request.Attribute(RouteSource, route.Source.GetAddressBytes());
        }

        if (route.PreferredSource is not null)
        {
            request.Attribute(RoutePreferredSource, route.PreferredSource.GetAddressBytes());
        }

        if (route.Gateway is not null)
        {
            request.Attribute(RouteGateway, route.Gateway.GetAddressBytes());
        }

        if (route.Mtu != 0)
        {
            request.Nested(RouteMetrics, MetricMtu, route.Mtu);
        }

        socket.Execute(NewRoute, Create | Replace, request.ToArray(), $"add route {Describe(route)}");
    }

    /// <summary>The routes of the main table, IPv4 then IPv6.</summary>
    public List<RouteInfo> Routes()
    {
        var routes = new List<RouteInfo>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var query = new NetlinkRequest(RouteHeader).U8(0, Family(family)).ToArray();
            foreach (var message in socket.Dump(GetRoute, query, $"list {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} routes").Where(m => m.Type == NewRoute))
            {
                var body = message.Body;
                var attributes = message.Attributes(RouteHeader);
                var table = attributes.TryGetValue(RouteTable, out var t) ? BinaryPrimitives.ReadUInt32LittleEndian(t) : body[4];
                if (table != MainTable)
                {
                    continue;
                }

                IPAddress? Address(ushort type) => attributes.TryGetValue(type, out var bytes) && bytes.Length is 4 or 16 ? new IPAddress(bytes) : null;
                uint mtu = 0;
                if (attributes.TryGetValue(RouteMetrics, out var metrics) && NetlinkMessage.ParseAttributes(metrics).TryGetValue(MetricMtu, out var m) && m.Length >= 4)
                {
                    mtu = BinaryPrimitives.ReadUInt32LittleEndian(m);
                }

                routes.Add(new RouteInfo(
                    family,
                    Address(RouteDestination),
                    body[1],
                    Address(RouteGateway),
                    Address(RouteSource),
                    body[2],
                    Address(RoutePreferredSource),
                    attributes.TryGetValue(RouteOutput, out var oif) ? (int)BinaryPrimitives.ReadUInt32LittleEndian(oif) : 0,
                    body[6],
                    BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(8)),
                    mtu));
            }
        }

        return routes;
    }

    public void AddNeighbour(NeighbourInfo neighbour, string linkName)
    {
        var request = new NetlinkRequest(NeighbourHeader)
            .U8(0, Family(neighbour.Address.AddressFamily))
            .U32(4, (uint)neighbour.LinkIndex)
            .U16(8, neighbour.State)
            .U8(10, neighbour.Flags)
            .Attribute(NeighbourDestination, neighbour.Address.GetAddressBytes());
        if (neighbour.LinkAddress is not null)
        {
            request.Attribute(NeighbourLinkAddress, neighbour.LinkAddress);
        }

        socket.Execute(NewNeighbour, Create | Replace, request.ToArray(), $"add neighbour {neighbour.Address} on {linkName}");
    }

    public static string Describe(RouteInfo route) =>
        $"{(route.Destination is null ? "default" : $"{route.Destination}/{route.DestinationLength}")}" +
        (route.Gateway is null ? string.Empty : $" via {route.Gateway}") +
        (route.PreferredSource is null ? string.Empty : $" src {route.PreferredSource}") +
        (route.Source is null ? string.Empty : $" from {route.Source}/{route.SourceLength}");

    private static LinkInfo ReadLink(NetlinkMessage message)
    {
        var attributes = message.Attributes(LinkHeader);
        var name = attributes.TryGetValue(LinkNameAttribute, out var n) ? Encoding.UTF8.GetString(n).TrimEnd('\0') : string.Empty;
        var mtu = attributes.TryGetValue(LinkMtuAttribute, out var m) && m.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(m) : 0;
        return new LinkInfo(
            (int)BinaryPrimitives.ReadUInt32LittleEndian(message.Body.AsSpan(4)),
            name,
            attributes.GetValueOrDefault(LinkAddressAttribute) ?? [],
            mtu,
            BinaryPrimitives.ReadUInt32LittleEndian(message.Body.AsSpan(8)));
    }

    private static byte Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;

    public void Dispose() => socket.Dispose();
}
