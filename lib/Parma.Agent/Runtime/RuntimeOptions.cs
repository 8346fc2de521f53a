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

    /// <summary>Recompute every layer file's dm-verity root hash and compare it with the storage's root-hash option.</summary>
    public bool VerifyLayers { get; init; } = true;

    public string ResolveSource(string source) =>
        LayerSourceRoot is null ? source : Path.Combine(LayerSourceRoot, source.TrimStart('/'));
}
