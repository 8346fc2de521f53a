using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Testing.Registry;

/// <summary>
/// Writes OCI image layouts (spec 1.0) from raw layer tars, for pushing with skopeo or reading offline:
/// single-platform images and multi-platform indexes, each under a tag (org.opencontainers.image.ref.name).
/// </summary>
public sealed class OciLayoutBuilder
{
    private readonly Dictionary<string, byte[]> blobs = new(StringComparer.Ordinal);
    private readonly List<JsonObject> indexEntries = [];

    /// <summary>Adds an image (gzip layers) and returns its manifest descriptor; tag it to list it in index.json.</summary>
    public ImageDescriptor AddImage(OciTestImage image, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var layers = new JsonArray();
        var diffIds = new JsonArray();
        foreach (var tar in image.Layers)
        {
            var blob = image.Compress ? Gzip(tar) : tar;
            var mediaType = image.Compress ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar";
            layers.Add(Descriptor(mediaType, AddBlob(blob), blob.Length));
            diffIds.Add(Sha256(tar));
        }

        var config = new JsonObject
        {
            ["architecture"] = image.Architecture,
            ["os"] = image.Os,
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray(image.Env.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                ["Entrypoint"] = new JsonArray(image.Entrypoint.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                ["Cmd"] = new JsonArray(image.Cmd.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                ["WorkingDir"] = image.WorkingDir,
                ["User"] = image.User,
                ["Volumes"] = new JsonObject(image.Volumes.Select(v => KeyValuePair.Create(v, (JsonNode?)new JsonObject()))),
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        };
        if (image.Variant is not null)
        {
            config["variant"] = image.Variant;
        }

        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", AddBlob(configBytes), configBytes.Length),
            ["layers"] = layers,
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var descriptor = new ImageDescriptor(AddBlob(manifestBytes), manifestBytes.Length, image.Os, image.Architecture, image.Variant);
        if (tag is not null)
        {
            indexEntries.Add(Tagged(Descriptor("application/vnd.oci.image.manifest.v1+json", descriptor.Digest, descriptor.Size), tag));
        }

        return descriptor;
    }

    /// <summary>Adds a multi-platform index of images added earlier, under <paramref name="tag"/>.</summary>
    public string AddIndex(string tag, params ImageDescriptor[] images)
    {
        var manifests = new JsonArray();
        foreach (var image in images)
        {
            var entry = Descriptor("application/vnd.oci.image.manifest.v1+json", image.Digest, image.Size);
            var platform = new JsonObject { ["architecture"] = image.Architecture, ["os"] = image.Os };
            if (image.Variant is not null)
            {
                platform["variant"] = image.Variant;
            }

            entry["platform"] = platform;
            manifests.Add(entry);
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = manifests,
        };
        var bytes = Encoding.UTF8.GetBytes(index.ToJsonString());
        var digest = AddBlob(bytes);
        indexEntries.Add(Tagged(Descriptor("application/vnd.oci.image.index.v1+json", digest, bytes.Length), tag));
        return digest;
    }

    public void WriteTo(string directory)
    {
        var blobDirectory = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobDirectory);
        foreach (var (digest, bytes) in blobs)
        {
            File.WriteAllBytes(Path.Combine(blobDirectory, digest["sha256:".Length..]), bytes);
        }

        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(indexEntries.Select(e => (JsonNode?)e.DeepClone()).ToArray()),
        };
        File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private string AddBlob(byte[] bytes)
    {
        var digest = Sha256(bytes);
        blobs[digest] = bytes;
        return digest;
    }

    private static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private static JsonObject Tagged(JsonObject descriptor, string tag)
    {
        descriptor["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag };
        return descriptor;
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}

/// <summary>A manifest written by <see cref="OciLayoutBuilder"/>.</summary>
public sealed record ImageDescriptor(string Digest, long Size, string Os, string Architecture, string? Variant);

/// <summary>An image to write: its layer tars (bottom first) and config.</summary>
public sealed record OciTestImage
{
    public IReadOnlyList<byte[]> Layers { get; init; } = [];

    public bool Compress { get; init; } = true;

    public string Os { get; init; } = "linux";

    public string Architecture { get; init; } = "amd64";

    public string? Variant { get; init; }

    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = ["/bin/sh"];

    public string WorkingDir { get; init; } = "/";

    public string User { get; init; } = string.Empty;

    public IReadOnlyList<string> Volumes { get; init; } = [];
}
