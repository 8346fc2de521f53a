using System.Collections.Concurrent;
using Parma.Api;
using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.Groups.Inputs;

/// <summary>
/// Generator settings: the cluster's settings file (ParmaSettings.policySettingsFile) or the embedded
/// defaults, with a group's settingsRef JSON-Patch applied on top, each distinct patch parsed once.
/// </summary>
public sealed class PolicySettingsCatalog
{
    private const int PatchedLimit = 256;
    private readonly string _baseJson;
    private readonly string _baseName;
    private readonly ConcurrentDictionary<string, PolicySettings> _patched = new(StringComparer.Ordinal);

    /// <exception cref="PolicyInputException">The base settings do not parse.</exception>
    public PolicySettingsCatalog(string baseJson, string baseName)
    {
        _baseJson = baseJson;
        _baseName = baseName;
        Base = PolicySettingsLoader.Parse(baseJson, baseName);
    }

    public PolicySettings Base { get; }

    /// <summary>From <paramref name="settingsFile"/>, or the embedded defaults when it is null.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="PolicyInputException">It does not parse.</exception>
    public static PolicySettingsCatalog Load(string? settingsFile) => settingsFile is null
        ? new PolicySettingsCatalog(PolicySettingsLoader.DefaultsJson(), "the embedded default settings")
        : new PolicySettingsCatalog(File.ReadAllText(settingsFile), settingsFile);

    /// <summary>The base settings with <paramref name="patch"/> (read from <paramref name="patchSource"/>) applied; the base when null.</summary>
    public PolicySettings With(string? patch, string patchSource)
    {
        if (patch is null)
        {
            return Base;
        }

        if (_patched.TryGetValue(patch, out var known))
        {
            return known;
        }

        PolicySettings settings;
        try
        {
            var json = PolicySettingsLoader.ApplyDropIn(_baseJson, patch, patchSource);
            settings = PolicySettingsLoader.Parse(json, $"{_baseName} with {patchSource}");
        }
        catch (PolicyInputException e)
        {
            throw new GroupInputException(GroupConditions.Reasons.InvalidSpec,
                $"the settings overrides in {patchSource} do not apply: {e.Message} Fix the JSON-Patch in that ConfigMap.", e);
        }

        if (_patched.Count >= PatchedLimit)
        {
            _patched.Clear();
        }

        _patched[patch] = settings;
        return settings;
    }
}
