using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Parma.Cli.Commands;

/// <summary>
/// The request field a denial reason names (<c>check: FIELD: message</c>, FIELD like <c>OCI.Version</c>,
/// <c>process.Env[3]</c> or <c>OCI.Annotations[io.kubernetes.cri.container-name]</c>), looked up in the request.
/// </summary>
internal static partial class RequestField
{
    /// <summary>The FIELD of a reason, or null when the reason does not name one.</summary>
    public static string? Named(string? reason)
    {
        var parts = reason?.Split(": ", 3);
        return parts is { Length: 3 } && Path().IsMatch(parts[1]) ? parts[1] : null;
    }

    /// <summary>True when the field is absent, null, an empty string or an empty array or object in the request JSON.</summary>
    public static bool IsMissing(string requestJson, string field)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(requestJson);
        }
        catch (JsonException)
        {
            return false;
        }

        foreach (Match step in Step().Matches(field))
        {
            var name = step.Groups["name"].Value;
            node = name.Length > 0 ? (node as JsonObject)?[name] : node;
            foreach (Capture index in step.Groups["index"].Captures)
            {
                if (node is JsonArray && !int.TryParse(index.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    // A list named by content (process.Env[LD_PRELOAD]): the reason is about a value that is there.
                    return false;
                }

                node = node switch
                {
                    JsonArray array => int.Parse(index.Value, CultureInfo.InvariantCulture) is var i && i < array.Count ? array[i] : null,
                    JsonObject obj => obj[index.Value],
                    _ => null,
                };
            }
        }

        return node switch
        {
            null => true,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>().Length == 0,
            JsonArray array => array.Count == 0,
            JsonObject obj => obj.Count == 0,
            _ => false,
        };
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])*)*$")]
    private static partial Regex Path();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)(\[(?<index>[^\]]*)\])*")]
    private static partial Regex Step();
}
