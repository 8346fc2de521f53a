using System.Collections.Concurrent;
using Parma.Agent.Protocol;

namespace Parma.Agent.Runtime;

/// <summary>A container the backend created: its bundle, its spec, and its processes by exec id (the init process under the container id).</summary>
internal sealed class ContainerRecord(string id, string bundle, Spec spec, bool isSandboxPause)
{
    public string Id { get; } = id;

    public string Bundle { get; } = bundle;

    public Spec Spec { get; } = spec;

    public bool IsSandboxPause { get; } = isSandboxPause;

    /// <summary>Where the container's overlay root file system is mounted, if it is.</summary>
    public string? MountedRootfs { get; init; }

    /// <summary>The container's cgroups, once its process runs in them (Linux backend); null otherwise.</summary>
    public Cgroups.ContainerCgroup? Cgroup { get; set; }

    public ConcurrentDictionary<string, ChildProcess> Processes { get; } = new(StringComparer.Ordinal);

    public string ExecKey(string execId) => execId.Length == 0 ? Id : execId;
}
