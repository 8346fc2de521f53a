using System.Text;
using System.Text.Json;

namespace Parma.Oci.Registry;

/// <summary>
/// Registry credentials from a Docker <c>config.json</c> (<c>auths</c>) or a Kubernetes
/// <c>kubernetes.io/dockerconfigjson</c> / legacy <c>.dockercfg</c> secret payload. Credential helpers
/// (<c>credsStore</c>, <c>credHelpers</c>) are not run.
/// </summary>
public sealed class DockerConfigCredentials : IRegistryCredentialProvider
{
    private readonly Dictionary<string, RegistryCredential> byHost = new(StringComparer.OrdinalIgnoreCase);

    private DockerConfigCredentials()
    {
    }

    public static DockerConfigCredentials Empty { get; } = new();

    /// <summary>Parses config.json / dockerconfigjson bytes (with or without the <c>auths</c> wrapper).</summary>
    public static DockerConfigCredentials Parse(ReadOnlySpan<byte> json, string source)
    {
        var result = new DockerConfigCredentials();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source} must be a JSON object.");
            }

            var auths = document.RootElement.TryGetProperty("auths", out var wrapped) ? wrapped : document.RootElement;
            if (auths.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source}: 'auths' must be an object.");
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                result.byHost[NormaliseHost(entry.Name)] = ReadEntry(entry.Value, entry.Name, source);
            }
        }

        return result;
    }

    /// <summary>Loads <paramref name="path"/>, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json; empty if none exists.</summary>
    public static DockerConfigCredentials Load(string? path = null)
    {
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Docker config file {path} does not exist.", path);
            }

            return Parse(File.ReadAllBytes(path), path);
        }

        var directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(directory))
        {
            directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        }

        var candidate = Path.Combine(directory, "config.json");
        return File.Exists(candidate) ? Parse(File.ReadAllBytes(candidate), candidate) : Empty;
    }

    /// <summary>From the base64 <c>.dockerconfigjson</c> value of a Kubernetes secret's data.</summary>
    public static DockerConfigCredentials FromKubernetesSecretData(string base64Payload)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64Payload);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException("The image pull secret's .dockerconfigjson is not valid base64.", e);
        }

        return Parse(bytes, "image pull secret .dockerconfigjson");
    }

    public RegistryCredential? Find(string registry)
    {
        var host = NormaliseHost(registry);
        if (byHost.TryGetValue(host, out var credential))
        {
            return credential;
        }

        return host is "docker.io" or "registry-1.docker.io" && byHost.TryGetValue("index.docker.io", out var hub) ? hub : null;
    }

    private static RegistryCredential ReadEntry(JsonElement entry, string host, string source)
    {
        string? Get(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var username = Get("username");
        var password = Get("password");
        var auth = Get("auth");
        if (!string.IsNullOrEmpty(auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{source}: the 'auth' of {host} is not valid base64.", e);
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"{source}: the 'auth' of {host} must be base64 of user:password.");
            }

            username = decoded[..colon];
            password = decoded[(colon + 1)..];
        }

        return new RegistryCredential(username, password, Get("identitytoken"));
    }

    /// <summary>'https://index.docker.io/v1/' → 'index.docker.io'; 'http://host:5000/x' → 'host:5000'.</summary>
    private static string NormaliseHost(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return host == "docker.io" || host == "registry-1.docker.io" ? "index.docker.io" : host;
    }
}

/// <summary>Looks up credentials for a registry host.</summary>
public interface IRegistryCredentialProvider
{
    RegistryCredential? Find(string registry);
}
