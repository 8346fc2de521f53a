using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Groups.Pods;

/// <summary>
/// String comparisons on JSON values that do not materialize the string. A parsed review's values are
/// views of its UTF-8 bytes; reading a ~70 KiB policy annotation as a .NET string would allocate ~140 KiB
/// (a large-object-heap array) per request just to compare it with the expected value.
/// </summary>
public static class JsonText
{
    /// <summary>The node if it is a JSON string, else null (absent, null, numbers and objects do not count).</summary>
    public static JsonValue? StringOrNull(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value : null;

    /// <summary>True when <paramref name="node"/> is a JSON string equal to <paramref name="text"/>.</summary>
    public static bool EqualsString(JsonNode? node, string text)
    {
        if (node is not JsonValue value)
        {
            return false;
        }

        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.ValueKind == JsonValueKind.String && element.ValueEquals(text);
        }

        return value.TryGetValue<string>(out var own) && own == text;
    }

    /// <summary>True when both are absent, or both are JSON strings with the same text.</summary>
    public static bool SameString(JsonValue? left, JsonValue? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left.TryGetValue<JsonElement>(out var parsedLeft) && right.TryGetValue<JsonElement>(out var parsedRight))
        {
            return parsedLeft.ValueKind == JsonValueKind.String && parsedRight.ValueKind == JsonValueKind.String
                && JsonElement.DeepEquals(parsedLeft, parsedRight);
        }

        return left.TryGetValue<string>(out var leftText) && right.TryGetValue<string>(out var rightText) && leftText == rightText;
    }
}
