using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Parma.Testing.ApiServer.Apply;

/// <summary>Reads an apply-patch+yaml body (YAML, or JSON, which is YAML) into JSON nodes.</summary>
public static class ApplyConfiguration
{
    public static JsonNode? Parse(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return JsonNode.Parse(text);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException(e.Message, e);
        }

        // Re-parse so every value is backed by JSON, like bodies read from the wire.
        return stream.Documents.Count == 0 ? null : JsonNode.Parse(Convert(stream.Documents[0].RootNode)?.ToJsonString() ?? "null");
    }

    /// <summary>Every document of a multi-document YAML stream (empty documents skipped).</summary>
    public static IReadOnlyList<JsonObject> ParseAll(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException(e.Message, e);
        }

        return [.. stream.Documents
            .Select(d => Convert(d.RootNode))
            .OfType<JsonObject>()
            .Select(o => JsonNode.Parse(o.ToJsonString())!.AsObject())];
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }
}
