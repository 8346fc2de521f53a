using System.Text.Json;
using System.Text.Json.Serialization;
using Parma.Attestation.Certificates;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Report;

namespace Parma.KeyRelease;

/// <summary>
/// The service's configuration file (JSON): the secrets it guards, each with its release policy, and optional extra ARKs
/// (each pinned by fingerprint). Secret values live in their own files, never in this one.
/// </summary>
public sealed record KeyReleaseConfiguration
{
    [JsonPropertyName("keys")]
    public List<KeyEntry> Keys { get; init; } = [];

    [JsonPropertyName("additionalRoots")]
    public List<RootEntry> AdditionalRoots { get; init; } = [];

    public sealed record KeyEntry(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("secretFile")] string SecretFile,
        [property: JsonPropertyName("policy")] PolicyEntry Policy);

    public sealed record PolicyEntry
    {
        [JsonPropertyName("allowedHostData")] public List<string> AllowedHostData { get; init; } = [];
        [JsonPropertyName("group")] public string? Group { get; init; }
        [JsonPropertyName("allowedMeasurements")] public List<string> AllowedMeasurements { get; init; } = [];
        [JsonPropertyName("minimumTcb")] public TcbComponents? MinimumTcb { get; init; }
        [JsonPropertyName("vmpl")] public uint Vmpl { get; init; }
    }

    public sealed record RootEntry(
        [property: JsonPropertyName("product")] string Product,
        [property: JsonPropertyName("arkFile")] string ArkFile,
        [property: JsonPropertyName("sha256")] string Sha256);

    // camelCase like every other key (minimumTcb's bootloader/tee/snp/microcode/fmc); PascalCase still reads.
    private static readonly JsonSerializerOptions FileOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
    };

    public static KeyReleaseConfiguration Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<KeyReleaseConfiguration>(File.ReadAllText(path), FileOptions)
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid key-release configuration: {e.Message}", e);
        }
    }

    public IReadOnlyDictionary<string, ReleasableSecret> ReadSecrets(string baseDirectory)
    {
        var secrets = new Dictionary<string, ReleasableSecret>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            if (!secrets.TryAdd(key.Id, new ReleasableSecret(key.Id, File.ReadAllBytes(Path.Combine(baseDirectory, key.SecretFile)), ToPolicy(key))))
            {
                throw new InvalidDataException($"key '{key.Id}' is configured twice");
            }
        }

        return secrets;
    }

    public TrustedRoots BuildRoots(string baseDirectory)
    {
        var roots = TrustedRoots.AmdBuiltIn();
        foreach (var root in AdditionalRoots)
        {
            var product = SnpProducts.Parse(root.Product);
            if (product == SnpProduct.Unknown)
            {
                throw new InvalidDataException($"additional root product '{root.Product}' is not Milan, Genoa or Turin");
            }

            roots.AddRoot(product, CertificateFiles.LoadOne(Path.Combine(baseDirectory, root.ArkFile)), root.Sha256);
        }

        return roots;
    }

    private static KeyReleasePolicy ToPolicy(KeyEntry key)
    {
        GroupReference? group = null;
        if (key.Policy.Group is { } name)
        {
            var parts = name.Split('/');
            group = parts.Length == 2 && parts.All(part => part.Length > 0)
                ? new GroupReference(parts[0], parts[1])
                : throw new InvalidDataException($"key '{key.Id}': group '{name}' is not namespace/name");
        }

        foreach (var hex in key.Policy.AllowedHostData.Concat(key.Policy.AllowedMeasurements))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(hex, "^([0-9a-fA-F]{64}|[0-9a-fA-F]{96})$"))
            {
                throw new InvalidDataException($"key '{key.Id}': '{hex}' is not a 32-byte host_data or 48-byte measurement in hex");
            }
        }

        return new KeyReleasePolicy
        {
            AllowedHostData = key.Policy.AllowedHostData,
            Group = group,
            AllowedMeasurements = key.Policy.AllowedMeasurements,
            MinimumTcb = key.Policy.MinimumTcb,
            RequiredVmpl = key.Policy.Vmpl,
        };
    }
}
