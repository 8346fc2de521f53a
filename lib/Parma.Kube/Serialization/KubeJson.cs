using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Parma.Kube.Serialization;

/// <summary>
/// Serializer options for API objects: the source-generated context for the built-in kinds, then any
/// resolvers other assemblies add for their custom resources, then reflection as a last resort.
/// </summary>
public static class KubeJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Options that try <paramref name="resolvers"/> (e.g. a custom resource's JsonSerializerContext) first.</summary>
    public static JsonSerializerOptions Create(params IJsonTypeInfoResolver[] resolvers) =>
        new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(
                [.. resolvers, KubeJsonContext.Default, new DefaultJsonTypeInfoResolver()]),
        };
}
