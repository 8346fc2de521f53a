namespace Parma.Oci.Registry;

/// <summary>How to talk to registries.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>Hosts (host[:port]) reached over plain HTTP. No other host ever is.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    public IRegistryCredentialProvider Credentials { get; init; } = DockerConfigCredentials.Empty;

    /// <summary>Attempts per request when the registry answers 429 or 5xx, or the connection fails.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public string UserAgent { get; init; } = "parma/1.0";

    public bool IsInsecure(string host) => InsecureRegistries.Contains(host, StringComparer.OrdinalIgnoreCase);
}
