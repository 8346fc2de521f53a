using System.Text.Json;

namespace Parma.Api;

/// <summary>Reads <see cref="ParmaSettings"/> from JSON, naming what is wrong when it cannot.</summary>
public static class ParmaSettingsLoader
{
    /// <summary>Default location inside the operator and webhook containers (the chart mounts the settings ConfigMap here).</summary>
    public const string DefaultPath = "/etc/parma/settings/settings.json";

    // Reflection, not the source-generated context: the generator assigns every init-only property, so keys
    // missing from the file would become null instead of keeping their defaults.
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Defaults when <paramref name="path"/> is null or (for the default path) absent.</summary>
    public static ParmaSettings Load(string? path)
    {
        if (path is null)
        {
            return new ParmaSettings();
        }

        if (!File.Exists(path))
        {
            if (path == DefaultPath)
            {
                return new ParmaSettings();
            }

            throw new ParmaSettingsException($"settings file '{path}' does not exist");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ParmaSettings Parse(string json, string source = "settings")
    {
        ParmaSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<ParmaSettings>(json, Options);
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            throw new ParmaSettingsException($"{source}{where}: {e.Message}", e);
        }

        if (settings is null)
        {
            throw new ParmaSettingsException($"{source}: expected a JSON object, got null");
        }

        Validate(settings, source);
        return settings;
    }

    private static void Validate(ParmaSettings settings, string source)
    {
        var dns = new System.Text.RegularExpressions.Regex(Patterns.Dns1123Subdomain);
        if (!dns.IsMatch(settings.RuntimeClassName))
        {
            throw new ParmaSettingsException($"{source}: runtimeClassName '{settings.RuntimeClassName}' is not a valid RuntimeClass name");
        }

        foreach (var name in settings.AllowedRuntimeClasses)
        {
            if (!dns.IsMatch(name))
            {
                throw new ParmaSettingsException($"{source}: allowedRuntimeClasses entry '{name}' is not a valid RuntimeClass name");
            }
        }
    }
}

public sealed class ParmaSettingsException(string message, Exception? inner = null) : Exception(message, inner);
