using System.Text.Json;
using Parma.Kube.Serialization;

namespace Parma.Api;

/// <summary>Serializer options for Parma's custom resources on top of the built-in kinds.</summary>
public static class ParmaJson
{
    public static JsonSerializerOptions Options { get; } = KubeJson.Create(ParmaApiJsonContext.Default);
}
