using System.Text.Json.Serialization;
using Parma.Oci.Digests;

namespace Parma.Oci.Model;

/// <summary>An OCI content descriptor.</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")]
    public string MediaType { get; init; } = string.Empty;

    [JsonPropertyName("digest")]
    public string Digest { get; init; } = string.Empty;

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("platform")]
    public Platform? Platform { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("urls")]
    public List<string>? Urls { get; init; }

    public Digest ParsedDigest() => Digests.Digest.TryParse(Digest, out var digest, out var error)
        ? digest
        : throw new InvalidDataException($"Descriptor of type {MediaType} has an invalid digest: {error}");
}
