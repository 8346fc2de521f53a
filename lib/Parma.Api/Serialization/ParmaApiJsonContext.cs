using System.Text.Json.Serialization;
using Parma.Kube.Models;

namespace Parma.Api;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConfidentialPodGroup))]
[JsonSerializable(typeof(KubeList<ConfidentialPodGroup>))]
public sealed partial class ParmaApiJsonContext : JsonSerializerContext
{
}
