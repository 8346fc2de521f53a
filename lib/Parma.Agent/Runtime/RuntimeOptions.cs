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
    /// Files the host copies in with CopyFile are written at their path under this directory: "/" in a
    /// UVM, where containers bind-mount them from /run/kata-containers/shared/containers.
    /// </summary>
    public string CopyFileRoot { get; init; } = "/";

    /// <summary>
    /// Whether the backend carries out ephemeral (tmpfs) and local storages at their mount points under
    /// <see cref="CopyFileRoot"/>, as kata-agent does. On in the guest agent; off by default so that tests
    /// and development machines leave the machine's /run alone.
    /// </summary>
    public bool MountStorages { get; init; }

    /// <summary>Recompute every layer file's dm-verity root hash and compare it with the storage's root-hash option.</summary>
    public bool VerifyLayers { get; init; } = true;

    /// <summary>Whether a backend that runs containers in a root file system unpacks the verified layers and mounts their overlay.</summary>
    public LayerMounts LayerMounts { get; init; } = LayerMounts.Auto;

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
