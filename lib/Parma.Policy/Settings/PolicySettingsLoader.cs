using System.Text.Json;
using Parma.Policy.Input;
using Parma.Rego;

namespace Parma.Policy.Settings;

/// <summary>
/// Loads generator settings: the embedded defaults or a user's complete settings file, then any
/// JSON-Patch (RFC 6902) drop-ins in order, e.g. `[{"op": "add", "path": "/exec/commands/-", "value": ["/bin/date"]}]`.
/// </summary>
public static class PolicySettingsLoader
{
    public static PolicySettings Load(string? settingsFile, IEnumerable<string> dropInFiles)
    {
        var (json, source) = settingsFile is null ? (DefaultsJson(), "the embedded default settings") : (ReadFile(settingsFile), settingsFile);
        foreach (var dropIn in dropInFiles)
        {
            json = ApplyDropIn(json, ReadFile(dropIn), dropIn);
            source = $"{source} with {dropIn}";
        }

        return Parse(json, source);
    }

    public static string ApplyDropIn(string settingsJson, string patchJson, string sourceName)
    {
        try
        {
            return JsonPatch.Apply(Value.FromJson(settingsJson), Value.FromJson(patchJson)).ToJson();
        }
        catch (RegoException e)
        {
            throw new PolicyInputException($"{sourceName}: {e.Detail}");
        }
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyInputException($"{path}: {e.Message}");
        }
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string DefaultsJson()
    {
        using var stream = typeof(PolicySettingsLoader).Assembly.GetManifestResourceStream("Parma.Policy.default-settings.json")
            ?? throw new InvalidOperationException("The embedded default settings are missing from Parma.Policy.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static PolicySettings Defaults() => Parse(DefaultsJson(), "the embedded default settings");

    public static PolicySettings Parse(string json, string sourceName)
    {
        try
        {
            return JsonSerializer.Deserialize<PolicySettings>(json, Options)
                ?? throw new PolicyInputException($"{sourceName}: the settings are empty.");
        }
        catch (JsonException e)
        {
            throw new PolicyInputException($"{sourceName}: {e.Message}", e);
        }
    }
}
