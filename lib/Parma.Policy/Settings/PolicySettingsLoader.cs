using System.Text.Json;

namespace Parma.Policy.Settings;

/// <summary>Loads generator settings: the embedded defaults, or a user's settings file.</summary>
public static class PolicySettingsLoader
{
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
                ?? throw new Input.PolicyInputException($"{sourceName}: the settings are empty.");
        }
        catch (JsonException e)
        {
            throw new Input.PolicyInputException($"{sourceName}: {e.Message}", e);
        }
    }
}
