using System.Text.Json.Nodes;

namespace Parma.Policy.Generation;

/// <summary>JSON arrays built from plain values, for policy_data and simulated requests.</summary>
internal static class JsonArrays
{
    public static JsonArray Of(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
