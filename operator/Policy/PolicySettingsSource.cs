using System.Collections.Concurrent;
using Parma.Api;
using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.Operator.Policy;

/// <summary>
/// Generator settings: the cluster's settings file (ParmaSettings.policySettingsFile) or the embedded
/// defaults, with a group's settingsRef JSON-Patch applied on top. Parsed once per distinct patch.
/// </summary>
internal sealed class PolicySettingsSource
{
    private readonly string _baseJson;
    private readonly string _baseName;
    private readonly ConcurrentDictionary<string, PolicySettings> _parsed = new(StringComparer.Ordinal);

    public PolicySettingsSource(string? settingsFile)
    {
        if (settingsFile is null)
        {
            _baseJson = PolicySettingsLoader.DefaultsJson();
            _baseName = "the embedded default settings";
        }
        else
        {
            _baseJson = File.ReadAllText(settingsFile);
            _baseName = settingsFile;
        }

        Base = PolicySettingsLoader.Parse(_baseJson, _baseName);
    }

    public PolicySettings Base { get; }

    /// <summary>The settings with <paramref name="patch"/> (from <paramref name="patchSource"/>) applied; the base when null.</summary>
    public PolicySettings Get(string? patch, string? patchSource)
    {
        if (patch is null)
        {
            return Base;
        }

        if (_parsed.TryGetValue(patch, out var cached))
        {
            return cached;
        }

        try
        {
            var json = PolicySettingsLoader.ApplyDropIn(_baseJson, patch, patchSource ?? "settingsRef");
            var settings = PolicySettingsLoader.Parse(json, $"{_baseName} with {patchSource}");
            _parsed[patch] = settings;
            return settings;
        }
        catch (PolicyInputException e)
        {
            throw new GroupPolicyException(
                GroupConditions.Reasons.InvalidSpec,
                $"the settings overrides in {patchSource} do not apply: {e.Message} Fix the JSON-Patch in that ConfigMap.",
                retry: false,
                e);
        }
    }
}
