using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime.Cgroups;
using Parma.Agent.Runtime.Guest;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The requests beyond the container life cycle that every backend answers the same way (guest
/// details, OOM events, metrics, volume statistics, container statistics from cgroups, terminal and
/// diagnostics requests, and the refusals of swap and mem-agent), and the hooks through which the
/// Linux backend carries out the rest: freezing and updating containers, and the guest-wide requests.
/// </summary>
public abstract partial class RuntimeBackendBase
{
    private const string SharedDirectory = "/run/kata-containers/shared/containers/";
    private const string TerminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";
    private const int TerminationMessageLimit = 4096;

    private readonly GuestMetrics _metrics = new();

    /// <summary>The storage drivers this backend carries out (GetGuestDetails' storage_handlers).</summary>
    private protected virtual IReadOnlyList<string> StorageDrivers => [];

    /// <summary>A guest-wide request (network, CPUs, clock, random pool, mounts); null: this backend does not carry it out.</summary>
    private protected virtual Task<IMessage?> ExecuteGuestAsync(IMessage request, CancellationToken cancellationToken) => Task.FromResult<IMessage?>(null);

    /// <summary>Freezes (PauseContainer) or thaws (ResumeContainer) a container.</summary>
    private protected virtual Task FreezeAsync(ContainerRecord container, bool freeze, CancellationToken cancellationToken) =>
        throw new RuntimeException(StatusCode.Unimplemented, $"the {Name} backend cannot {(freeze ? "pause" : "resume")} containers");

    /// <summary>Applies new resource limits to a running container (UpdateContainer).</summary>
    private protected virtual Task UpdateResourcesAsync(ContainerRecord container, LinuxResources resources, CancellationToken cancellationToken) =>
        throw new RuntimeException(StatusCode.Unimplemented, $"the {Name} backend does not run containers in cgroups, so it cannot change their resources");

    private async Task<IMessage> ExecuteMoreAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case GetOOMEventRequest:
                return await _oomEvents.NextAsync(cancellationToken).ConfigureAwait(false);
            case GuestDetailsRequest details:
                return new SysfsResources(Options.SysfsRoot).Details(details, AgentDetails());
            case GetMetricsRequest:
                return new Metrics { Metrics_ = _metrics.Render() };
            case VolumeStatsRequest volume:
                return Volumes.Stats(Options.ResolveGuestPath(volume.VolumeGuestPath));
            case RemoveStaleVirtiofsShareMountsRequest:
                // kata-agent stats each mount of the shared directory so that virtiofsd drops stale cache entries.
                foreach (var mount in MountEntry.Current().Where(m => m.MountPoint.StartsWith(SharedDirectory, StringComparison.Ordinal)))
                {
                    _ = Directory.Exists(mount.MountPoint);
                }

                return new Empty();
            case StatsContainerRequest stats:
                var container = Find(stats.ContainerId);
                return new StatsContainerResponse
                {
                    CgroupStats = CgroupStatsReader.Read(container.Cgroup ?? throw new RuntimeException(
                        StatusCode.FailedPrecondition,
                        $"container {container.Id} has no cgroup this agent knows (it has not started, or the {Name} backend does not run containers in cgroups)")),
                };
            case PauseContainerRequest pause:
                await FreezeAsync(Find(pause.ContainerId), freeze: true, cancellationToken).ConfigureAwait(false);
                return new Empty();
            case ResumeContainerRequest resume:
                await FreezeAsync(Find(resume.ContainerId), freeze: false, cancellationToken).ConfigureAwait(false);
                return new Empty();
            case UpdateContainerRequest update:
                await UpdateResourcesAsync(Find(update.ContainerId), update.Resources ?? new LinuxResources(), cancellationToken).ConfigureAwait(false);
                return new Empty();
            case TtyWinResizeRequest resize:
                _ = ProcessOf(resize.ContainerId, resize.ExecId);
                throw new RuntimeException(StatusCode.Unavailable, $"no tty: the processes of container {resize.ContainerId} run without a terminal");
            case GetDiagnosticDataRequest diagnostics:
                return TerminationLog(Find(diagnostics.ContainerId), diagnostics.LogType);
            case UpdateEphemeralMountsRequest { Storages.Count: 0 }:
                // Kata sends the list after every sandbox resize, empty when the pod has no memory volumes.
                return new Empty();
            case AddSwapRequest or AddSwapPathRequest:
                throw new RuntimeException(StatusCode.FailedPrecondition, "swap would page the guest's memory out to a host disk in the clear; this agent adds no swap");
            case MemAgentMemcgConfig or MemAgentCompactConfig:
                throw new RuntimeException(StatusCode.FailedPrecondition, "this agent has no mem-agent to configure");
            default:
                return await ExecuteGuestAsync(request, cancellationToken).ConfigureAwait(false)
                    ?? throw new RuntimeException(StatusCode.Unimplemented, $"the {Name} backend does not carry out {method.Name}");
        }
    }

    private AgentDetails AgentDetails()
    {
        var details = new AgentDetails
        {
            Version = typeof(RuntimeBackendBase).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            InitDaemon = Environment.ProcessId == 1,
            // Seccomp profiles from the host are refused by the policy; the agent applies none of its own.
            SupportsSeccomp = false,
        };
        details.StorageHandlers.AddRange(StorageDrivers);
        return details;
    }

    /// <summary>
    /// GetDiagnosticData "termination_log", as kata-agent reads it: the file mounted at the container's
    /// terminationMessagePath, at most 4 KiB, empty when it does not exist. Only a file under the
    /// shared directory (one the host copied in for the container to write) is read, never another
    /// guest path a host-written annotation and mount could name.
    /// </summary>
    private GetDiagnosticDataResponse TerminationLog(ContainerRecord container, string logType)
    {
        if (logType != "termination_log")
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"unsupported diagnostic log_type: {logType}");
        }

        var destination = container.Spec.Annotations.GetValueOrDefault(TerminationMessagePathAnnotation)
            ?? throw new RuntimeException(StatusCode.NotFound, $"container {container.Id} has no terminationMessagePath annotation");
        var source = container.Spec.Mounts.FirstOrDefault(m => m.Destination == destination)?.Source
            ?? throw new RuntimeException(StatusCode.NotFound, $"container {container.Id}: no mount at {destination}");
        if (!source.StartsWith(SharedDirectory, StringComparison.Ordinal) || source[SharedDirectory.Length..].Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"container {container.Id}: the termination log {source} is not a file of the shared directory");
        }

        var path = Path.Join(Path.GetFullPath(Options.CopyFileRoot), source);
        if (!File.Exists(path))
        {
            return new GetDiagnosticDataResponse();
        }

        using var file = File.OpenRead(path);
        var buffer = new byte[TerminationMessageLimit];
        var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return new GetDiagnosticDataResponse { Data = Encoding.UTF8.GetString(buffer, 0, read) };
    }
}
