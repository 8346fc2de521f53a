using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parma.Policy.Input;

/// <summary>Reads multi-document YAML (or JSON) into JSON trees, typing plain scalars the way the YAML core schema does.</summary>
public static class YamlDocuments
{
    public static IReadOnlyList<JsonNode> Parse(string text, string sourceName) =>
        Roots(text, sourceName).Select(root => Convert(root, sourceName)!).ToList();

    /// <summary>
    /// The root nodes of the documents that are not empty, in order: the nodes <see cref="Parse"/> converts, so that
    /// index i of both is the same document (the manifest patcher edits the text at these nodes' positions).
    /// </summary>
    public static IReadOnlyList<YamlNode> Roots(string text, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PolicyInputException(
                $"{sourceName}: line {e.Start.Line}, column {e.Start.Column}: invalid YAML: {e.InnerException?.Message ?? e.Message}");
        }

        return stream.Documents.Select(d => d.RootNode).Where(root => !(root is YamlScalarNode scalar && ConvertScalar(scalar) is null)).ToList();
    }

    private static JsonNode? Convert(YamlNode node, string sourceName) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping, sourceName),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(c => Convert(c, sourceName)).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new PolicyInputException($"{sourceName}: line {node.Start.Line}: unsupported YAML node."),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping, string sourceName)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                throw new PolicyInputException($"{sourceName}: line {key.Start.Line}: mapping keys must be scalars.");
            }

            if (result.ContainsKey(name))
            {
                throw new PolicyInputException($"{sourceName}: line {key.Start.Line}: duplicate key '{name}'.");
            }

            result[name] = Convert(value, sourceName);
        }

        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IsInteger(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (IsFloat(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }

    private static bool IsInteger(string s)
    {
        var start = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        return s.Length > start && s.Skip(start).All(char.IsAsciiDigit);
    }

    private static bool IsFloat(string s) =>
        s.Length > 0 && s.Any(char.IsAsciiDigit) && s.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '-' or '+')
        && s.Count(c => c == '.') <= 1 && (s.Contains('.') || s.Contains('e') || s.Contains('E'));
}
