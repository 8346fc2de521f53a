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

    private protected override ProcessStartInfo InitProcess(ContainerRecord container)
    {
        var startInfo = new ProcessStartInfo(Runc(container.Id));
        foreach (var arg in new[] { "--root", RuncRoot, "run", "--bundle", container.Bundle, container.Id })
        {
            startInfo.ArgumentList.Add(arg);
        }

        return startInfo;
    }

    private protected override ProcessStartInfo ExecProcess(ContainerRecord container, string execId, Process process)
    {
        var runc = Runc(container.Id);
        var processFile = Path.Combine(container.Bundle, $"exec-{execId}.json");
        File.WriteAllText(processFile, OciBundleWriter.Process(process).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var startInfo = new ProcessStartInfo(runc);
        foreach (var arg in new[] { "--root", RuncRoot, "exec", "--process", processFile, container.Id })
        {
            startInfo.ArgumentList.Add(arg);
        }

        return startInfo;
    }

    private string Runc(string containerId) => _runc ?? throw new RuntimeException(
        StatusCode.FailedPrecondition,
        $"container {containerId}: runc is not installed on this machine, so the Linux backend cannot run container processes (layers were verified and the bundle was written)");
}
