namespace Parma.Policy.Generation;

/// <summary>Which part a container plays in the pod.</summary>
public enum ContainerRole
{
    Pause,
    Init,
    App,
}

/// <summary>Capability sets of a process, by OCI name (Ambient, Bounding, Effective, Inheritable, Permitted).</summary>
public sealed record CapabilitySets(
    IReadOnlyList<string> Ambient,
    IReadOnlyList<string> Bounding,
    IReadOnlyList<string> Effective,
    IReadOnlyList<string> Inheritable,
    IReadOnlyList<string> Permitted)
{
    /// <summary>The sets in the OCI process shape, as both the policy and the requests carry them.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["Ambient"] = JsonArrays.Of(Ambient),
        ["Bounding"] = JsonArrays.Of(Bounding),
        ["Effective"] = JsonArrays.Of(Effective),
        ["Inheritable"] = JsonArrays.Of(Inheritable),
        ["Permitted"] = JsonArrays.Of(Permitted),
    };
}

/// <summary>
/// Commands the host may exec in a container: the container's exec probes (never with a terminal),
/// and the commands the group and the settings declare, exactly or as one RE2 pattern per argument,
/// with a terminal when <paramref name="Terminal"/> says so.
/// </summary>
public sealed record ExecPlan(
    IReadOnlyList<IReadOnlyList<string>> Probes,
    IReadOnlyList<IReadOnlyList<string>> Commands,
    IReadOnlyList<IReadOnlyList<string>> Regex,
    bool Terminal)
{
    /// <summary>The exact commands a host may run: probes first, then the declared ones, each once.</summary>
    public IEnumerable<IReadOnlyList<string>> ExactCommands => Probes.Concat(Commands).DistinctBy(c => string.Join('\0', c));
}

/// <summary>
/// Everything the kubelet, containerd and the Kata shim will ask of the agent for one container,
/// worked out once from the pod spec and the image. The policy is written from it, and so are the
/// requests a correct host sends (the simulator, the webhook's pre-flight).
/// </summary>
public sealed record ContainerPlan(
    string Name,
    ContainerRole Role,
    ImageFacts Image,
    IReadOnlyList<string> Args,
    string Cwd,
    ContainerEnvironment Env,
    ProcessUser User,
    bool Terminal,
    bool NoNewPrivileges,
    bool ReadOnlyRoot,
    CapabilitySets Capabilities,
    bool Privileged,
    ContainerMounts Mounts,
    ExecPlan Exec,
    IReadOnlyDictionary<string, string> Sysctls,
    bool VerifyLayers,
    OomScoreRange OomScoreAdj,
    IReadOnlyList<string> ApparmorProfiles);

/// <summary>The oom_score_adj values the kubelet may give a container, inclusive.</summary>
public sealed record OomScoreRange(long Min, long Max);

/// <summary>
/// The pod as a whole: its naming, namespace, containers (pause first) and the group's options.
/// <paramref name="HostnamePattern"/>: an RE2 pattern for the hostname the pod sets itself
/// (spec.hostname, setHostnameAsFQDN), or null when the kubelet derives it from the pod's name.
/// </summary>
public sealed record PodPlan(
    Input.Workload Workload,
    string PodNamePattern,
    string Namespace,
    bool ShareProcessNamespace,
    IReadOnlyList<ContainerPlan> Containers,
    GroupPolicyOptions Options,
    string? HostnamePattern = null);
