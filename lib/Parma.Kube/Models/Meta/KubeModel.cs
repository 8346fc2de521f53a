using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parma.Kube.Models;

/// <summary>
/// Base of every model: fields this library does not know are kept here and written back unchanged,
/// so a read-modify-write never drops what a newer API server added.
/// </summary>
public abstract class KubeModel
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
