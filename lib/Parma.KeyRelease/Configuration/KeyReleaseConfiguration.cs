using System.Text.Json;
using System.Text.Json.Serialization;
using Parma.Attestation.Report;

namespace Parma.KeyRelease.Configuration;

/// <summary>
/// The service's configuration file (JSON), written and kept by the tenant: the secrets it guards, each with its release
/// policy, how to recompute host_data from the tenant's manifests, and optional extra ARKs (each pinned by fingerprint).
/// Secret values live in their own files, never in this one. File names are relative to this file's directory.
/// Unknown keys are errors, so a misspelt setting cannot silently fall back to a default.
/// </summary>
public sealed record KeyReleaseConfiguration
{
    [JsonPropertyName("keys")]
    public List<KeyEntry> Keys { get; init; } = [];

    [JsonPropertyName("generator")]
    public GeneratorEntry Generator { get; init; } = new();

    [JsonPropertyName("additionalRoots")]
    public List<RootEntry> AdditionalRoots { get; init; } = [];

    public sealed record KeyEntry
    {
        [JsonPropertyName("id")] public required string Id { get; init; }

        [JsonPropertyName("secretFile")] public required string SecretFile { get; init; }

        [JsonPropertyName("policy")] public required PolicyEntry Policy { get; init; }
    }

    public sealed record PolicyEntry
    {
        /// <summary>host_data values approved as such (e.g. CI's <c>*.host-data</c> files).</summary>
        [JsonPropertyName("allowedHostData")] public List<string> AllowedHostData { get; init; } = [];

        /// <summary>Manifest files or directories (the tenant's copy); every workload in them is approved, its host_data recomputed.</summary>
        [JsonPropertyName("manifests")] public List<string> Manifests { get; init; } = [];

        /// <summary>ConfigMaps and Secrets the workloads take env values from (like <c>parma policy generate -c</c>).</summary>
        [JsonPropertyName("configFiles")] public List<string> ConfigFiles { get; init; } = [];

        /// <summary>Settings drop-ins for this key's manifests, applied after the generator's (a group's settingsRef).</summary>
        [JsonPropertyName("settingsPatches")] public List<string> SettingsPatches { get; init; } = [];

        [JsonPropertyName("allowedMeasurements")] public List<string> AllowedMeasurements { get; init; } = [];

        [JsonPropertyName("allowAnyMeasurement")] public bool AllowAnyMeasurement { get; init; }

        [JsonPropertyName("allowMigrationAgent")] public bool AllowMigrationAgent { get; init; }

        [JsonPropertyName("minimumTcb")] public TcbComponents? MinimumTcb { get; init; }

        /// <summary>Only 0 is accepted; kept so that existing files that say so still load.</summary>
        [JsonPropertyName("vmpl")] public uint Vmpl { get; init; }

        /// <summary>Removed: read to explain why, never used.</summary>
        [JsonPropertyName("group")] public JsonElement? Group { get; init; }
    }

    /// <summary>How policies are generated from the manifests: the same inputs as <c>parma policy generate</c>'s flags.</summary>
    public sealed record GeneratorEntry
    {
        /// <summary>Namespace of objects that name none (<c>--namespace</c>).</summary>
        [JsonPropertyName("namespace")] public string Namespace { get; init; } = "default";

        /// <summary>agent-policy or initdata for every workload (<c>--format</c>); null: the group's spec.policy.format.</summary>
        [JsonPropertyName("format")] public string? Format { get; init; }

        /// <summary>A complete settings file replacing the embedded defaults (<c>--settings</c>).</summary>
        [JsonPropertyName("settings")] public string? Settings { get; init; }

        [JsonPropertyName("settingsPatches")] public List<string> SettingsPatches { get; init; } = [];

        /// <summary>OCI image layouts read instead of registries for the references they hold (<c>--images</c>).</summary>
        [JsonPropertyName("imageLayouts")] public List<string> ImageLayouts { get; init; } = [];

        /// <summary>Image reference as written (manifest or settings) → the manifest digest it must resolve to.</summary>
        [JsonPropertyName("imageDigests")] public Dictionary<string, string> ImageDigests { get; init; } = [];

        [JsonPropertyName("insecureRegistries")] public List<string> InsecureRegistries { get; init; } = [];

        [JsonPropertyName("dockerConfig")] public string? DockerConfig { get; init; }

        /// <summary>Where layer root hashes are cached between starts; null keeps none (every start hashes the layers).</summary>
        [JsonPropertyName("layerCacheDirectory")] public string? LayerCacheDirectory { get; init; }
    }

    public sealed record RootEntry
    {
        [JsonPropertyName("product")] public required string Product { get; init; }

        [JsonPropertyName("arkFile")] public required string ArkFile { get; init; }

        [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
    }

    // camelCase like every other key (minimumTcb's bootloader/tee/snp/microcode/fmc); PascalCase still reads.
    private static readonly JsonSerializerOptions FileOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowDuplicateProperties = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Lists may not hold null (the serializer checks properties, not list entries).</summary>
    private void RejectNullEntries(string path)
    {
        void Check(string where, IEnumerable<string?> values)
        {
            if (values.Any(value => value is null))
            {
                throw new KeyReleaseConfigurationException($"{path}: {where} holds a null entry");
            }
        }

        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i] ?? throw new KeyReleaseConfigurationException($"{path}: keys[{i}] is null");
            var policy = key.Policy;
            Check($"keys[{i}].policy.allowedHostData", policy.AllowedHostData);
            Check($"keys[{i}].policy.manifests", policy.Manifests);
            Check($"keys[{i}].policy.configFiles", policy.ConfigFiles);
            Check($"keys[{i}].policy.settingsPatches", policy.SettingsPatches);
            Check($"keys[{i}].policy.allowedMeasurements", policy.AllowedMeasurements);
        }

        Check("generator.settingsPatches", Generator.SettingsPatches);
        Check("generator.imageLayouts", Generator.ImageLayouts);
        Check("generator.insecureRegistries", Generator.InsecureRegistries);
        Check("generator.imageDigests", Generator.ImageDigests.Values);
        if (AdditionalRoots.Any(root => root is null))
        {
            throw new KeyReleaseConfigurationException($"{path}: additionalRoots holds a null entry");
        }
    }

    /// <exception cref="KeyReleaseConfigurationException">the file cannot be read or is not a configuration.</exception>
    public static KeyReleaseConfiguration Load(string path)
    {
        try
        {
            var configuration = JsonSerializer.Deserialize<KeyReleaseConfiguration>(File.ReadAllText(path), FileOptions)
                ?? throw new KeyReleaseConfigurationException($"{path} is empty");
            configuration.RejectNullEntries(path);
            return configuration;
        }
        catch (JsonException e)
        {
            throw new KeyReleaseConfigurationException($"{path} is not a valid key-release configuration: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyReleaseConfigurationException($"{path}: {e.Message}", e);
        }
    }
}
