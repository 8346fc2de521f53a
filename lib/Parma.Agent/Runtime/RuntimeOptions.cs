namespace Parma.Agent.Runtime;

/// <summary>Where a backend keeps its files and how it finds the host's layer files.</summary>
public sealed record RuntimeOptions
{
    /// <summary>Bundles (config.json, rootfs) live under &lt;StateDirectory&gt;/&lt;container id&gt;.</summary>
    public string StateDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "parma-agent");

    /// <summary>
    /// When set, a layer storage's source path is looked up under this directory (a test or a
    /// development machine keeps the host's /var/lib/… layout there). Null: the path as the host sent it.
    /// </summary>
    public string? LayerSourceRoot { get; init; }

    /// <summary>
    /// Further places a layer storage's source may name besides the policy's layer file
    /// (&lt;layer_src_prefix&gt;/&lt;layer id&gt;), as regular expressions that must match the whole source,
    /// e.g. <c>/dev/vd[a-z]+</c> for layers the runtime attaches as block devices. Part of the agent's
    /// command line, which the launch measurement covers; empty by default.
    /// </summary>
    public IReadOnlyList<string> LayerSourcePatterns { get; init; } = [];

    /// <summary>
    /// The most bytes read from a layer source whose policy entry records no size (policies of other
    /// generators); a layer with a size in the policy is read up to that size.
    /// </summary>
    public long MaxLayerBytes { get; init; } = DefaultMaxLayerBytes;

    public const long DefaultMaxLayerBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// The guest paths the host names are under this directory: files it copies in with CopyFile,
    /// storage mount points, ephemeral remounts and volume paths. "/" in a UVM, where containers
    /// bind-mount copies from /run/kata-containers/shared/containers; a test keeps that layout under a
    /// temporary directory.
    /// </summary>
    public string CopyFileRoot { get; init; } = "/";

    /// <summary>
    /// Whether the backend carries out ephemeral (tmpfs) and local storages at their mount points under
    /// <see cref="CopyFileRoot"/>, as kata-agent does. On in the guest agent; off by default so that tests
    /// and development machines leave the machine's /run alone.
    /// </summary>
    public bool MountStorages { get; init; }

    /// <summary>
    /// Where the detached LUKS2 headers of encrypted storages are made while their devices are formatted
    /// and opened: in the state directory, which must be memory-backed (tmpfs) for the agent to encrypt.
    /// </summary>
    public string StorageHeaderDirectory => Path.Combine(StateDirectory, ".luks");

    /// <summary>Where the backend reports what it set up beyond the audit log (block storages and how long each step took); null: nowhere.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Recompute every layer file's dm-verity root hash and compare it with the storage's root-hash option.</summary>
    public bool VerifyLayers { get; init; } = true;

    /// <summary>Whether a backend that runs containers in a root file system unpacks the verified layers and mounts their overlay.</summary>
    public LayerMounts LayerMounts { get; init; } = LayerMounts.Auto;

    /// <summary>Where sysfs is (CPU and memory onlining, memory details, block device sizes): "/sys" in a UVM.</summary>
    public string SysfsRoot { get; init; } = "/sys";

    /// <summary>
    /// The network namespace whose interfaces, routes and neighbours the Linux backend configures, as a
    /// path such as /run/netns/NAME; null (a UVM): the agent's own.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The kernel random device ReseedRandomDev mixes the host's bytes into.</summary>
    public string RandomDevice { get; init; } = "/dev/random";

    /// <summary>
    /// A guest path the host names in a sandbox-wide request (an ephemeral mount point, a volume path),
    /// under <see cref="CopyFileRoot"/> as copies and storages are: absolute, without empty, "." or ".." components.
    /// </summary>
    public string ResolveGuestPath(string path)
    {
        if (!path.StartsWith('/') || path.Length == 1 || path[1..].Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new RuntimeException(Ttrpc.StatusCode.InvalidArgument, $"'{path}' is not an absolute guest path without empty, '.' or '..' components");
        }

        return Path.Combine(Path.GetFullPath(CopyFileRoot), path[1..]);
    }

    public string ResolveSource(string source) =>
        LayerSourceRoot is null ? source : Path.Combine(LayerSourceRoot, source.TrimStart('/'));
}

/// <summary>When the Linux backend builds the container's root file system from its verified layers.</summary>
public enum LayerMounts
{
    /// <summary>When the process may mount overlays and make whiteouts (root in a real UVM); otherwise layers are only verified.</summary>
    Auto,

    /// <summary>Always; a machine that cannot fails the CreateContainer and says what is missing.</summary>
    Required,

    /// <summary>Never: layers are verified and the bundle's rootfs stays empty.</summary>
    Off,
}
