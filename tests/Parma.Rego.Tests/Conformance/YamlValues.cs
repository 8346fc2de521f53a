using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parma.Rego.Tests.Conformance;

/// <summary>Converts YAML nodes to Rego values (plain scalars are typed like YAML 1.2 core / JSON).</summary>
internal static class YamlValues
{
    public static Value ToValue(YamlNode node) => node switch
    {
        YamlScalarNode s => Scalar(s),
        YamlSequenceNode seq => Value.Array(seq.Children.Select(ToValue)),
        YamlMappingNode map => Value.Object(map.Children.Select(kv => new KeyValuePair<Value, Value>(ToValue(kv.Key), ToValue(kv.Value)))),
        _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType}"),
    };

    private static Value Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? string.Empty;
        if (s.Style is ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return Value.String(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return Value.Null;
            case "true" or "True" or "TRUE":
                return Value.True;
            case "false" or "False" or "FALSE":
                return Value.False;
        }

        if ((char.IsAsciiDigit(text[0]) || (text[0] is '-' or '+' && text.Length > 1)) &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && NumberValue.Parse(text.TrimStart('+')) is { } n)
        {
            return n;
        }

        return Value.String(text);
    }
}
