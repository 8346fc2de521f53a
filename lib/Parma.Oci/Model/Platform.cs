using System.Text.Json.Serialization;

namespace Parma.Oci.Model;

/// <summary>An OCI platform: os/architecture[/variant].</summary>
public sealed record Platform
{
    public static Platform LinuxAmd64 { get; } = new() { Os = "linux", Architecture = "amd64" };

    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = string.Empty;

    [JsonPropertyName("os")]
    public string Os { get; init; } = string.Empty;

    [JsonPropertyName("variant")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Variant { get; init; }

    [JsonPropertyName("os.version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OsVersion { get; init; }

    /// <summary>Parses <c>os/arch[/variant]</c>, e.g. <c>linux/arm64/v8</c>.</summary>
    public static Platform Parse(string value)
    {
        var parts = value.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new FormatException($"'{value}' is not a platform; expected os/architecture[/variant], e.g. linux/amd64.");
        }

        return new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }

    /// <summary>True when <paramref name="candidate"/> is this platform (a variant is compared only when this one names it).</summary>
    public bool Matches(Platform? candidate) =>
        candidate is not null
        && string.Equals(Os, candidate.Os, StringComparison.Ordinal)
        && string.Equals(Architecture, candidate.Architecture, StringComparison.Ordinal)
        && (Variant is null || string.Equals(Variant, candidate.Variant, StringComparison.Ordinal));

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
