namespace Parma.Agent.Runtime;

/// <summary>
/// What the enforced policy says about the host's layer files: the directory the runtime keeps them in
/// (policy_data.common.layer_src_prefix, where the tardev snapshotter writes each layer's file under its
/// layer id) and the size of each layer's tardev image by root hash (policy_data.containers[*].layers[*].size).
/// A layer storage's source must be that file (or match one of the agent's --layer-source patterns), and
/// no more bytes than that size are read from it (see <see cref="LayerVerifier"/>).
/// </summary>
public sealed class LayerSourcePolicy(string? sourcePrefix, IReadOnlyDictionary<string, long> sizes)
{
    /// <summary>No policy (the start-up policy before SetPolicy): no layer source is the policy's.</summary>
    public static LayerSourcePolicy None { get; } = new(null, new Dictionary<string, long>());

    /// <summary>The directory of the runtime's layer files, or null when the policy names none.</summary>
    public string? SourcePrefix { get; } = sourcePrefix?.TrimEnd('/') is { Length: > 0 } prefix ? prefix : null;

    /// <summary>The size the policy records for the layer with this root hash (lower-case hex), or null.</summary>
    public long? SizeOf(string rootHash) => sizes.TryGetValue(rootHash.ToLowerInvariant(), out var size) ? size : null;

    /// <summary>The source the policy's runtime uses for a layer id: &lt;prefix&gt;/&lt;id&gt;, or null when it names no prefix.</summary>
    public string? SourceOf(string layerId) => SourcePrefix is null ? null : $"{SourcePrefix}/{layerId}";
}
