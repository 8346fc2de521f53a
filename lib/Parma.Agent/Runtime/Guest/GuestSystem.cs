using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime.Network;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// The requests that change the guest as a whole rather than one container, which only the Linux
/// backend carries out (in a UVM the guest is the agent's own machine; a development machine's network,
/// clock and CPUs are not the host's to change): interfaces, routes and neighbours; CPU and memory
/// onlining and probing; the clock; the random pool; ephemeral mounts; volume resizing; iptables.
/// </summary>
internal sealed class GuestSystem(RuntimeOptions options)
{
    private readonly GuestNetwork _network = new(options.NetworkNamespace);
    private readonly SysfsResources _sysfs = new(options.SysfsRoot);
    private readonly FirewallTables _firewall = new(options.NetworkNamespace);

    /// <summary>Carries out <paramref name="request"/>, or returns null when it is not a guest-wide request.</summary>
    public async Task<IMessage?> ExecuteAsync(IMessage request, CancellationToken cancellationToken)
    {
        try
        {
            switch (request)
            {
                case UpdateInterfaceRequest update:
                    return _network.UpdateInterface(update.Interface ?? throw Invalid("UpdateInterfaceRequest without an interface"));
                case UpdateRoutesRequest routes:
                    return _network.UpdateRoutes((routes.Routes ?? throw Invalid("UpdateRoutesRequest without routes")).Routes_);
                case AddARPNeighborsRequest neighbours:
                    _network.AddNeighbours((neighbours.Neighbors ?? throw Invalid("AddARPNeighborsRequest without neighbours")).ARPNeighbors_);
                    return new Empty();
                case ListInterfacesRequest:
                    return _network.ListInterfaces();
                case ListRoutesRequest:
                    return _network.ListRoutes();
                case OnlineCPUMemRequest online:
                    await _sysfs.OnlineAsync(online, cancellationToken).ConfigureAwait(false);
                    return new Empty();
                case MemHotplugByProbeRequest probe:
                    _sysfs.ProbeMemory(probe.MemHotplugProbeAddr);
                    return new Empty();
                case SetGuestDateTimeRequest time:
                    GuestClock.Set(time);
                    return new Empty();
                case ReseedRandomDevRequest reseed:
                    EntropyPool.Mix(options.RandomDevice, reseed.Data.Span);
                    return new Empty();
                case UpdateEphemeralMountsRequest mounts:
                    EphemeralMounts.Update(mounts.Storages, options.ResolveGuestPath);
                    return new Empty();
                case ResizeVolumeRequest resize:
                    await Volumes.ResizeAsync(options.ResolveGuestPath(resize.VolumeGuestPath), resize.Size, options.SysfsRoot, cancellationToken).ConfigureAwait(false);
                    return new Empty();
                case GetIPTablesRequest save:
                    return await _firewall.SaveAsync(save, cancellationToken).ConfigureAwait(false);
                case SetIPTablesRequest restore:
                    return await _firewall.RestoreAsync(restore, cancellationToken).ConfigureAwait(false);
                default:
                    return null;
            }
        }
        catch (NetlinkException e)
        {
            throw new RuntimeException(e.Errno switch
            {
                17 => StatusCode.AlreadyExists,
                2 or 19 => StatusCode.NotFound,
                22 or 34 => StatusCode.InvalidArgument,
                1 or 13 => StatusCode.FailedPrecondition,
                _ => StatusCode.Internal,
            }, e.Message);
        }
    }

    private static RuntimeException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
