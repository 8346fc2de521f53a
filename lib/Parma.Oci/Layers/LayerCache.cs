using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parma.Oci.Digests;

namespace Parma.Oci.Layers;

/// <summary>
/// Remembers layer root hashes by layer (blob) digest so that each layer is downloaded and hashed once.
/// One JSON file per layer and format, written atomically under an exclusive lock file (safe across
/// processes). Each entry carries a checksum of its fields; an entry that does not parse, does not match
/// its key or fails its checksum is treated as absent and recomputed.
/// </summary>
public sealed class LayerCache
{
    private const int Version = 1;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(30);
    private readonly string directory;
    private int corruptEntries;

    public LayerCache(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The default location: $XDG_CACHE_HOME/parma/layers or ~/.cache/parma/layers.</summary>
    public static string DefaultDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return Path.Combine(root, "parma", "layers");
        }
    }

    /// <summary>How many corrupt entries were found (and recomputed) by this instance.</summary>
    public int CorruptEntriesRecomputed => corruptEntries;

    public string EntryPath(Digest layer, LayerHashFormat format) =>
        Path.Combine(directory, $"{layer.Algorithm}-{layer.Hex}.{FormatName(format)}.json");

    /// <summary>The cached hash, or null when there is no valid entry.</summary>
    public LayerHash? TryGet(Digest layer, LayerHashFormat format)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var path = EntryPath(layer, format);
        if (!File.Exists(path))
        {
            return null;
        }

        var entry = Read(path, layer, format);
        if (entry is null)
        {
            Interlocked.Increment(ref corruptEntries);
        }

        return entry;
    }

    public async Task<LayerHash> GetOrComputeAsync(
        Digest layer, LayerHashFormat format, Func<CancellationToken, Task<LayerHash>> compute, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (TryGet(layer, format) is { } cached)
        {
            return cached;
        }

        var path = EntryPath(layer, format);
        await using var lockFile = await AcquireLockAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        if (File.Exists(path) && Read(path, layer, format) is { } written)
        {
            return written;
        }

        var hash = await compute(cancellationToken).ConfigureAwait(false);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, Serialize(layer, hash), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        return hash;
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static byte[] Serialize(Digest layer, LayerHash hash)
    {
        var entry = new Entry
        {
            Version = Version,
            Layer = layer.ToString(),
            Format = FormatName(hash.Format),
            RootHash = hash.RootHash,
            DiffId = hash.DiffId.ToString(),
            TarSize = hash.TarSize,
            ImageSize = hash.ImageSize,
        };
        return JsonSerializer.SerializeToUtf8Bytes(entry with { Check = Checksum(entry) });
    }

    private static LayerHash? Read(string path, Digest layer, LayerHashFormat format)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllBytes(path));
            if (entry is null || entry.Version != Version || entry.Layer != layer.ToString() || entry.Format != FormatName(format)
                || entry.RootHash is not { Length: 64 } || !entry.RootHash.All(Uri.IsHexDigit) || entry.RootHash != entry.RootHash.ToLowerInvariant()
                || !Digest.TryParse(entry.DiffId, out var diffId, out _) || entry.Check != Checksum(entry))
            {
                return null;
            }

            return new LayerHash(entry.RootHash, format, diffId, entry.TarSize, entry.ImageSize);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Checksum(Entry entry) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{entry.Version}|{entry.Layer}|{entry.Format}|{entry.RootHash}|{entry.DiffId}|{entry.TarSize}|{entry.ImageSize}")));

    private static string FormatName(LayerHashFormat format) => format == LayerHashFormat.Tarfs ? "tarfs" : "raw";

    private sealed record Entry
    {
        [JsonPropertyName("version")]
        public int Version { get; init; }

        [JsonPropertyName("layer")]
        public string? Layer { get; init; }

        [JsonPropertyName("format")]
        public string? Format { get; init; }

        [JsonPropertyName("rootHash")]
        public string? RootHash { get; init; }

        [JsonPropertyName("diffId")]
        public string? DiffId { get; init; }

        [JsonPropertyName("tarSize")]
        public long TarSize { get; init; }

        [JsonPropertyName("imageSize")]
        public long ImageSize { get; init; }

        [JsonPropertyName("check")]
        public string? Check { get; init; }
    }
}
