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
    private protected override void Removing(ContainerRecord container)
    {
        if (_runc is null || !Directory.Exists(Path.Combine(RuncRoot, container.Id)))
        {
            return;
        }

        var delete = RuncCommand(container.Id, "delete", "--force", container.Id);
        delete.RedirectStandardError = true;
        delete.RedirectStandardOutput = true;
        using var runc = System.Diagnostics.Process.Start(delete)!;
        var error = runc.StandardError.ReadToEndAsync();
        if (!runc.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            runc.Kill();
            throw new RuntimeException(StatusCode.Internal, $"container {container.Id}: runc delete did not finish in 10 s");
        }

        if (runc.ExitCode != 0)
        {
            throw new RuntimeException(StatusCode.Internal, $"container {container.Id}: runc delete failed: {error.Result.Trim()}");
        }
    }

    private ProcessStartInfo RuncCommand(string containerId, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(Runc(containerId));
        startInfo.ArgumentList.Add("--root");
        startInfo.ArgumentList.Add(RuncRoot);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private string Runc(string containerId) => _runc ?? throw new RuntimeException(
        StatusCode.FailedPrecondition,
        $"container {containerId}: runc is not installed on this machine, so the Linux backend cannot run container processes (layers were verified and the bundle was written)");
}
