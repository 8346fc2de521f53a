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

/// <summary>Commands the host may exec in a container.</summary>
public sealed record ExecPlan(IReadOnlyList<IReadOnlyList<string>> Commands, IReadOnlyList<string> Regex);

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
    bool VerifyLayers);

/// <summary>The pod as a whole: its naming, namespace, containers (pause first) and the group's options.</summary>
public sealed record PodPlan(
    Input.Workload Workload,
    string PodNamePattern,
    string Namespace,
    bool ShareProcessNamespace,
    IReadOnlyList<ContainerPlan> Containers,
    GroupPolicyOptions Options);
