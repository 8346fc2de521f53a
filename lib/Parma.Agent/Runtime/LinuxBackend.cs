using System.Diagnostics;
using System.Globalization;
using Process = Parma.Agent.Protocol.Process;
using System.Text.Json;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime.Cgroups;
using Parma.Agent.Runtime.Guest;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The Linux backend: verifies every layer file's dm-verity root hash by recomputing it, writes the
/// OCI bundle, and runs containers and execs with runc. Without runc it still verifies and writes
/// bundles, and answers Start/Exec with FAILED_PRECONDITION naming what is missing. It also carries
/// out the guest-wide requests (network, CPUs and memory, clock, random pool, ephemeral mounts, volume
/// resizing, iptables), pauses, resumes and updates containers with runc, and watches each started
/// container's cgroup for OOM kills.
/// </summary>
public sealed class LinuxBackend(RuntimeOptions options, string? runcPath = null, MountSupport? mountSupport = null) : RuntimeBackendBase(options, mountSupport)
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(10);

    private readonly string? _runc = runcPath ?? MountSupport.FindOnPath("runc");
    private readonly GuestSystem _guest = new(options);

    public override string Name => (_runc is null ? "linux (runc not found: containers cannot start" : $"linux (runc at {_runc}") +
        (MountsLayers ? $", layers mounted as overlays{(MountSupport.UsesDeviceMapper ? " through dm-verity devices" : string.Empty)})" : ", layers verified, not mounted)");

    protected override bool RunsInRootfs => true;

    public bool CanRunContainers => _runc is not null;

    private string RuncRoot => Path.Combine(Options.StateDirectory, ".runc");

    private protected override IReadOnlyList<string> StorageDrivers => ["blk", "overlayfs", "ephemeral"];

    private protected override Task<IMessage?> ExecuteGuestAsync(IMessage request, CancellationToken cancellationToken) =>
        _guest.ExecuteAsync(request, cancellationToken);

    /// <summary>
    /// Waits until runc has written the container's pid (the container exists, so an exec right after
    /// Start finds it), then finds the container's cgroups from that process and watches them for OOM
    /// kills. A container whose runc exits first (it failed to start) is left to WaitProcess to report.
    /// </summary>
    private protected override async Task StartedAsync(ContainerRecord container, CancellationToken cancellationToken)
    {
        var pidFile = PidFile(container, container.Id);
        var deadline = DateTime.UtcNow + StartPatience;
        while (DateTime.UtcNow < deadline && container.Processes.TryGetValue(container.Id, out var runc) && !runc.HasExited)
        {
            if (ReadPid(pidFile) is { } pid)
            {
                if (ContainerCgroup.OfProcess(pid) is { } cgroup)
                {
                    container.Cgroup = cgroup;
                    OomEvents.Watch(container.Id, cgroup);
                }

                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }
    }

    private protected override async Task FreezeAsync(ContainerRecord container, bool freeze, CancellationToken cancellationToken) =>
        await RuncAsync(container, freeze ? "pause" : "resume", [container.Id], cancellationToken).ConfigureAwait(false);

    /// <summary>`runc update --resources FILE`: the request's limits in runtime-spec form (device rules are not changed).</summary>
    private protected override async Task UpdateResourcesAsync(ContainerRecord container, LinuxResources resources, CancellationToken cancellationToken)
    {
        var file = Path.Combine(container.Bundle, "update-resources.json");
        await File.WriteAllTextAsync(file, OciBundleWriter.Resources(resources, withDevices: false).ToJsonString(), cancellationToken).ConfigureAwait(false);
        await RuncAsync(container, "update", ["--resources", file, container.Id], cancellationToken).ConfigureAwait(false);
    }

    private async Task RuncAsync(ContainerRecord container, string command, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            await ExternalTool.RunAsync(Runc(container.Id), RuncArguments([command, .. arguments]), $"runc {command}", cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"container {container.Id}: {e.Message}");
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// `runc run --keep`: the container (its state and cgroups) outlives its process until RemoveContainer
    /// runs `runc delete`, as in kata-agent, so an OOM kill of the container's own process is still
    /// counted in its cgroup and statistics can be read after it exits.
    /// </summary>
    private protected override ProcessStartInfo InitProcess(ContainerRecord container) =>
        RuncCommand(container.Id, "run", "--keep", "--bundle", container.Bundle, "--pid-file", PidFile(container, container.Id), container.Id);

    private protected override ProcessStartInfo ExecProcess(ContainerRecord container, string execId, Process process)
    {
        var processFile = Path.Combine(container.Bundle, $"exec-{SafeName(execId)}.json");
        File.WriteAllText(processFile, OciBundleWriter.Process(process).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return RuncCommand(container.Id, "exec", "--process", processFile, "--pid-file", PidFile(container, execId), container.Id);
    }

    /// <summary>`runc run` and `runc exec` write the host pid of the container's process here; signals go to it (runc cannot forward SIGKILL).</summary>
    private protected override string PidFile(ContainerRecord container, string key) =>
        Path.Combine(container.Bundle, key == container.Id ? "init.pid" : $"exec-{SafeName(key)}.pid");

    /// <summary>`runc delete --force`: stops what still runs in the container and removes runc's state and cgroups, so that the id can be used again.</summary>
    private protected override async Task RemovingAsync(ContainerRecord container, CancellationToken cancellationToken)
    {
        if (_runc is null || !Directory.Exists(Path.Combine(RuncRoot, container.Id)))
        {
            return;
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await ExternalTool.RunAsync(_runc, RuncArguments("delete", "--force", container.Id), "runc delete", patience.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RuntimeException(StatusCode.Internal, $"container {container.Id}: runc delete did not finish in 10 s");
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.Internal, $"container {container.Id}: {e.Message}");
        }
    }

    private ProcessStartInfo RuncCommand(string containerId, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Runc(containerId));
        foreach (var argument in RuncArguments(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    /// <summary>A runc command line over this backend's own state directory.</summary>
    private string[] RuncArguments(params string[] arguments) => ["--root", RuncRoot, .. arguments];

    private string Runc(string containerId) => _runc ?? throw new RuntimeException(
        StatusCode.FailedPrecondition,
        $"container {containerId}: runc is not installed on this machine, so the Linux backend cannot run container processes (layers were verified and the bundle was written)");
}
