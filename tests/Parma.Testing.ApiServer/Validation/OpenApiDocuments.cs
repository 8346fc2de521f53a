using System.Collections.Concurrent;
using System.Text.Json;

namespace Parma.Testing.ApiServer.Validation;

/// <summary>
/// The official Kubernetes OpenAPI v3 documents of one release (../shared/k8s-openapi/v1.NN), indexed by
/// group/version/kind. Loaded once per process and version.
/// </summary>
public sealed class OpenApiDocuments
{
    private static readonly ConcurrentDictionary<string, Lazy<OpenApiDocuments>> Cache = new();
    private readonly Dictionary<(string Group, string Version, string Kind), ObjectSchema> _byKind = [];
    private readonly Dictionary<string, byte[]> _raw = new(StringComparer.Ordinal);

    private OpenApiDocuments(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"OpenAPI documents not found at {directory}.");
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*_openapi.json"))
        {
            var bytes = File.ReadAllBytes(file);
            // api__v1_openapi.json is what /openapi/v3/api/v1 serves; apis__apps__v1_openapi.json is apis/apps/v1.
            _raw[Path.GetFileName(file)[..^"_openapi.json".Length].Replace("__", "/", StringComparison.Ordinal)] = bytes;
            var document = JsonDocument.Parse(bytes).RootElement;
            foreach (var schema in document.GetProperty("components").GetProperty("schemas").EnumerateObject())
            {
                if (!schema.Value.TryGetProperty("x-kubernetes-group-version-kind", out var gvks))
                {
                    continue;
                }

                foreach (var gvk in gvks.EnumerateArray())
                {
                    var key = (gvk.GetProperty("group").GetString()!, gvk.GetProperty("version").GetString()!, gvk.GetProperty("kind").GetString()!);
                    // Every document repeats DeleteOptions/WatchEvent etc.; the first one wins.
                    _byKind.TryAdd(key, new ObjectSchema(schema.Value, document, isCustomResource: false));
                }
            }
        }
    }

    public static OpenApiDocuments Load(string directory) =>
        Cache.GetOrAdd(Path.GetFullPath(directory), d => new Lazy<OpenApiDocuments>(() => new OpenApiDocuments(d))).Value;

    /// <summary>The documents as published, by the path /openapi/v3/ serves them under ("api/v1", "apis/apps/v1").</summary>
    public IReadOnlyDictionary<string, byte[]> Published => _raw;

    public ObjectSchema? Find(string group, string version, string kind) =>
        _byKind.TryGetValue((group, version, kind), out var schema) ? schema : null;
}
