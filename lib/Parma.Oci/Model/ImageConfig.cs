using System.Text.Json.Serialization;

namespace Parma.Oci.Model;

/// <summary>The parts of an OCI / Docker image configuration that a policy needs.</summary>
public sealed record ImageConfigFile
{
    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    [JsonPropertyName("os")]
    public string? Os { get; init; }

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    [JsonPropertyName("config")]
    public ContainerConfig? Config { get; init; }

    [JsonPropertyName("rootfs")]
    public RootFs? RootFs { get; init; }
}

/// <summary>The <c>config</c> object of an image configuration: what the container runs by default.</summary>
public sealed record ContainerConfig
{
    [JsonPropertyName("User")]
    public string? User { get; init; }

    [JsonPropertyName("Env")]
    public List<string>? Env { get; init; }

    [JsonPropertyName("Entrypoint")]
    public List<string>? Entrypoint { get; init; }

    [JsonPropertyName("Cmd")]
    public List<string>? Cmd { get; init; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; init; }

    [JsonPropertyName("Volumes")]
    public Dictionary<string, object>? Volumes { get; init; }

    [JsonPropertyName("ExposedPorts")]
    public Dictionary<string, object>? ExposedPorts { get; init; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; init; }
}

public sealed record RootFs
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("diff_ids")]
    public List<string>? DiffIds { get; init; }
}
