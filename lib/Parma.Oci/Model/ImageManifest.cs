using System.Text.Json.Serialization;

namespace Parma.Oci.Model;

/// <summary>An OCI image manifest or a Docker v2 schema 2 manifest (same shape).</summary>
public sealed record ImageManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("config")]
    public Descriptor? Config { get; init; }

    [JsonPropertyName("layers")]
    public List<Descriptor>? Layers { get; init; }

    [JsonPropertyName("manifests")]
    public List<Descriptor>? Manifests { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }
}
