using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Attestation.Guest;
using Parma.Testing;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// The tenant's own key-release directory, as it would be mounted into the verifier: config.json, the secret files, the
/// group's manifests and the development ARK pinned as an additional root. Images come from examples/images, each tag
/// pinned to its digest.
/// </summary>
internal sealed class TenantDirectory : IDisposable
{
    public const string Secret = "db-password: s3cr3t-value-never-logged";

    public TenantDirectory(DevelopmentAuthority authority)
    {
        Authority = authority;
        Write("dev-ark.pem", authority.Ark.ExportCertificatePem());
        Write("db.secret", Secret);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("parma-tenant-").FullName;

    public DevelopmentAuthority Authority { get; }

    public string ConfigPath => Path.Combine(Root, "config.json");

    /// <summary>The measurement every test guest reports, and the config approves unless a test says otherwise.</summary>
    public static byte[] Measurement { get; } = Enumerable.Range(1, 48).Select(i => (byte)i).ToArray();

    public static string MeasurementHex => Convert.ToHexStringLower(Measurement);

    public static string ImageLayout => RepoPaths.InRepo("examples", "images");

    /// <summary>examples/confidential-pod-group.yaml: group demo/hello with two containers and its ConfigMap.</summary>
    public static string ExampleGroup => File.ReadAllText(RepoPaths.InRepo("examples", "confidential-pod-group.yaml"));

    /// <summary>Every tag of examples/images (pause, hello, log-shipper) → its manifest digest, read from the layout's index.</summary>
    public static Dictionary<string, string> ExampleDigests()
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(ImageLayout, "index.json")))!;
        return index["manifests"]!.AsArray().ToDictionary(
            entry => entry!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>(),
            entry => entry!["digest"]!.GetValue<string>());
    }

    /// <summary>The example group with its greeting changed: the next version during a roll.</summary>
    public static string NextVersionOfExampleGroup => ExampleGroup.Replace("value: bonjour", "value: hello", StringComparison.Ordinal);

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A configuration with one key "db" guarded by <paramref name="policy"/>, images from the examples layout.</summary>
    public string WriteConfig(object policy, object? generator = null) => WriteConfigDocument(new
    {
        keys = new[] { new { id = "db", secretFile = "db.secret", policy } },
        generator = generator ?? new { imageLayouts = new[] { ImageLayout }, imageDigests = ExampleDigests() },
        additionalRoots = new[] { new { product = "Milan", arkFile = "dev-ark.pem", sha256 = Authority.ArkFingerprint } },
    });

    public string WriteConfigDocument(object document)
    {
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        return ConfigPath;
    }

    /// <summary>A guest whose reports carry <paramref name="hostDataHex"/> and the approved measurement, changed by <paramref name="tweak"/>.</summary>
    public DevelopmentReportProvider Guest(string hostDataHex, Func<DevelopmentReportSettings, DevelopmentReportSettings>? tweak = null)
    {
        var settings = new DevelopmentReportSettings { HostData = Convert.FromHexString(hostDataHex), Measurement = Measurement };
        return new DevelopmentReportProvider(Authority, tweak is null ? settings : tweak(settings));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
