using System.Diagnostics;
using Process = Parma.Agent.Protocol.Process;
using System.Text.Json;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The Linux backend: verifies every layer file's dm-verity root hash by recomputing it, writes the
/// OCI bundle, and runs containers and execs with runc. Without runc it still verifies and writes
/// bundles, and answers Start/Exec with FAILED_PRECONDITION naming what is missing.
/// </summary>
public sealed class LinuxBackend(RuntimeOptions options, string? runcPath = null, MountSupport? mountSupport = null) : RuntimeBackendBase(options, mountSupport)
{
    private readonly string? _runc = runcPath ?? MountSupport.FindOnPath("runc");

    public override string Name => (_runc is null ? "linux (runc not found: containers cannot start" : $"linux (runc at {_runc}") +
        (MountsLayers ? $", layers mounted as overlays{(MountSupport.UsesDeviceMapper ? " through dm-verity devices" : string.Empty)})" : ", layers verified, not mounted)");

    protected override bool RunsInRootfs => true;

    public bool CanRunContainers => _runc is not null;

    private string RuncRoot => Path.Combine(Options.StateDirectory, ".runc");

    private protected override ProcessStartInfo InitProcess(ContainerRecord container) =>
        RuncCommand(container.Id, "run", "--bundle", container.Bundle, "--pid-file", PidFile(container, container.Id), container.Id);

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
