using System.Diagnostics;
using Process = Parma.Agent.Protocol.Process;
using Parma.Agent.Protocol;

namespace Parma.Agent.Runtime;

/// <summary>
/// DEVELOPMENT ONLY — NO ISOLATION. Runs container and exec processes as plain child processes of
/// the agent, on the machine's own filesystem, so that the whole flow (policy decisions, layer
/// checks, bundles, processes, waits) can be tried on any Linux machine. The sandbox's pause
/// container has nothing to run. Working directories that do not exist here fall back to the bundle.
/// </summary>
public sealed class DevelopmentBackend(RuntimeOptions options) : RuntimeBackendBase(options)
{
    public const string Banner = "DEVELOPMENT BACKEND: containers run as plain child processes with NO isolation; never use it for confidential workloads";

    public override string Name => "development (no isolation)";

    private protected override ProcessStartInfo? InitProcess(ContainerRecord container) =>
        container.IsSandboxPause || container.Spec.Process is null ? null : StartInfo(container, container.Spec.Process);

    private protected override ProcessStartInfo ExecProcess(ContainerRecord container, string execId, Process process) =>
        StartInfo(container, process);

    private static ProcessStartInfo StartInfo(ContainerRecord container, Process process)
    {
        if (process.Args.Count == 0)
        {
            throw new RuntimeException(Ttrpc.StatusCode.InvalidArgument, $"container {container.Id}: the process has no args");
        }

        var startInfo = new ProcessStartInfo(process.Args[0])
        {
            WorkingDirectory = Directory.Exists(process.Cwd) ? process.Cwd : container.Bundle,
        };
        foreach (var arg in process.Args.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment.Clear();
        foreach (var entry in process.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                startInfo.Environment[entry[..eq]] = entry[(eq + 1)..];
            }
        }

        return startInfo;
    }
}
