using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Policy.Input;

namespace Parma.Policy.Enforcement;

/// <summary>One step of a Kata-style trace: `{"description", "allowed", "kind", "request"}`.</summary>
public sealed record TraceCase(string Description, bool Allowed, string Kind, JsonObject Request);

/// <summary>Reads and writes traces in the shape of Kata's genpolicy test cases.</summary>
public static class Trace
{
    public static IReadOnlyList<TraceCase> Parse(string json, string sourceName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PolicyInputException($"{sourceName}: not JSON: {e.Message}");
        }

        if (root is not JsonArray cases)
        {
            throw new PolicyInputException($"{sourceName}: a trace is a JSON array of {{description, allowed, kind, request}}.");
        }

        var result = new List<TraceCase>(cases.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            if (cases[i] is not JsonObject c
                || c["kind"] is not JsonValue kind || kind.GetValueKind() != JsonValueKind.String
                || c["allowed"] is not JsonValue allowed || allowed.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)
                || c["request"] is not JsonObject request)
            {
                throw new PolicyInputException($"{sourceName}: case {i}: needs a string kind, a boolean allowed and an object request.");
            }

            var description = c["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : $"case {i}";
            result.Add(new TraceCase(description, allowed.GetValue<bool>(), kind.GetValue<string>(), request));
        }

        return result;
    }

    public static string Write(IEnumerable<TraceCase> cases)
    {
        var array = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
        {
            ["description"] = c.Description,
            ["allowed"] = c.Allowed,
            ["kind"] = c.Kind,
            ["request"] = c.Request.DeepClone(),
        }).ToArray());
        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public static TraceCase Allowed(AgentRequest request) => new(request.Description, true, request.Kind, request.Input);
}
