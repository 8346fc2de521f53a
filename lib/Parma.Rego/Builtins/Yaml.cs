using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Parma.Rego.Builtins;

/// <summary>
/// yaml.marshal, yaml.unmarshal and yaml.is_valid as OPA has them (through sigs.k8s.io/yaml over YAML 1.1): plain
/// scalars resolve y/yes/on/true and n/no/off/false to booleans, ~ and null to null, and numbers to numbers; mapping
/// keys become strings; only the first document counts. Output is block style with sorted keys.
/// </summary>
internal static partial class Yaml
{
    private const int MaxDepth = 512;

    public static void Register(Registrar add)
    {
        add("yaml.unmarshal", 1, a => Parse("yaml.unmarshal", Args.Str("yaml.unmarshal", a, 0)));
        add("yaml.is_valid", 1, a =>
        {
            try
            {
                Parse("yaml.is_valid", Args.Str("yaml.is_valid", a, 0));
                return Value.True;
            }
            catch (RegoException e) when (e.Code == RegoException.Codes.BuiltinError)
            {
                return Value.False;
            }
        });
        add("yaml.marshal", 1, a =>
        {
            var sb = new StringBuilder();
            Write(sb, a[0], 0, inSequence: false);
            return Value.String(sb.ToString());
        });
    }

    private static Value Parse(string name, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Args.Error(name, $"yaml: line {e.Start.Line}: {e.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            return Value.Null;
        }

        return Convert(name, stream.Documents[0].RootNode, 0);
    }

    private static Value Convert(string name, YamlNode node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Args.Error(name, "yaml: document nested too deeply");
        }

        switch (node)
        {
            case YamlScalarNode s:
                return Scalar(name, s);
            case YamlSequenceNode seq:
                return Value.Array(seq.Children.Select(c => Convert(name, c, depth + 1)));
            case YamlMappingNode map:
            {
                var pairs = new Dictionary<Value, Value>();
                foreach (var (k, v) in map.Children)
                {
                    var key = Convert(name, k, depth + 1);
                    var text = key switch
                    {
                        StringValue ks => ks.Text,
                        NullValue => "null",
                        ObjectValue or ArrayValue or SetValue => throw Args.Error(name, "yaml: mapping keys must be scalars"),
                        _ => key.ToJson(),
                    };
                    pairs[Value.String(text)] = Convert(name, v, depth + 1);
                }

                return ObjectValue.FromDictionary(pairs);
            }

            default:
                throw Args.Error(name, $"yaml: unsupported node {node.NodeType}");
        }
    }

    private static Value Scalar(string name, YamlScalarNode s)
    {
        var text = s.Value ?? string.Empty;
        if (s.Style != ScalarStyle.Plain || (s.Tag.IsEmpty == false && s.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return Value.String(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return Value.Null;
        }

        if (Bool(text) is { } b)
        {
            return Value.Bool(b);
        }

        var clean = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (IntPattern().IsMatch(text))
        {
            return Value.Number(BigInteger.Parse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        if (HexPattern().IsMatch(text))
        {
            var negative = clean.StartsWith('-');
            var digits = clean.TrimStart('+', '-')[2..];
            var value = BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return Value.Number(negative ? -value : value);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return NumberValue.Parse(clean.TrimStart('+')) ?? Value.Number(d);
        }

        if (text is ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN")
        {
            throw Args.Error(name, $"yaml: {text} has no JSON representation");
        }

        return Value.String(text);
    }

    private static bool? Bool(string text) => text switch
    {
        "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON" => true,
        "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    [GeneratedRegex(@"\A[-+]?(0|[1-9][0-9_]*)\z")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"\A[-+]?0x[0-9a-fA-F_]+\z")]
    private static partial Regex HexPattern();

    [GeneratedRegex(@"\A[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?\z")]
    private static partial Regex FloatPattern();

    private static void Write(StringBuilder sb, Value value, int indent, bool inSequence)
    {
        switch (value)
        {
            case ObjectValue { Count: > 0 } o:
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    if (i > 0 || !inSequence)
                    {
                        sb.Append(' ', indent);
                    }

                    var key = o.KeyArray[i] is StringValue ks ? ks.Text : o.KeyArray[i].ToJson();
                    sb.Append(String(key)).Append(':');
                    WriteChild(sb, o.ValueArray[i], indent, mapValue: true);
                }

                break;
            case ArrayValue { Items.Length: > 0 } or SetValue { Count: > 0 }:
                var items = value is ArrayValue arr ? arr.Items : ((SetValue)value).Items;
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0 || !inSequence)
                    {
                        sb.Append(' ', indent);
                    }

                    sb.Append('-');
                    WriteChild(sb, items[i], indent, mapValue: false);
                }

                break;
            default:
                if (!inSequence)
                {
                    sb.Append(' ', indent);
                }

                sb.Append(ScalarText(value)).Append('\n');
                break;
        }
    }

    /// <summary>A value after "key:" or "-": scalars and empty collections inline, mappings and sequences on the next lines.</summary>
    private static void WriteChild(StringBuilder sb, Value child, int indent, bool mapValue)
    {
        switch (child)
        {
            case ObjectValue { Count: > 0 }:
                if (mapValue)
                {
                    sb.Append('\n');
                    Write(sb, child, indent + 2, inSequence: false);
                }
                else
                {
                    sb.Append(' ');
                    Write(sb, child, indent + 2, inSequence: true);
                }

                break;
            case ArrayValue { Items.Length: > 0 } or SetValue { Count: > 0 }:
                if (mapValue)
                {
                    sb.Append('\n');
                    Write(sb, child, indent, inSequence: false);
                }
                else
                {
                    sb.Append(' ');
                    Write(sb, child, indent + 2, inSequence: true);
                }

                break;
            default:
                sb.Append(' ').Append(ScalarText(child)).Append('\n');
                break;
        }
    }

    private static string ScalarText(Value value) => value switch
    {
        NullValue => "null",
        BooleanValue b => b.BoolValue ? "true" : "false",
        NumberValue n => n.ToText(),
        StringValue s => String(s.Text),
        ObjectValue => "{}",
        _ => "[]",
    };

    /// <summary>Plain when the text reads back as the same string; single quotes when it only needs protecting from YAML syntax; double quotes otherwise.</summary>
    private static string String(string text)
    {
        if (text.Length == 0)
        {
            return "\"\"";
        }

        var resolvesToOther = text is "~" or "null" or "Null" or "NULL" || Bool(text) is not null || IntPattern().IsMatch(text) || HexPattern().IsMatch(text)
            || (FloatPattern().IsMatch(text) && text.Any(char.IsAsciiDigit)) || text.StartsWith(".inf", StringComparison.OrdinalIgnoreCase) || text.StartsWith(".nan", StringComparison.OrdinalIgnoreCase);
        if (resolvesToOther || text.Any(c => char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029'))
        {
            return Value.Quote(text);
        }

        var needsQuotes = "-?:,[]{}#&*!|>'\"%@`".Contains(text[0], StringComparison.Ordinal) || text[0] == ' ' || text[^1] == ' ' || text[^1] == ':'
            || text.Contains(": ", StringComparison.Ordinal) || text.Contains(" #", StringComparison.Ordinal);
        return needsQuotes ? "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'" : text;
    }
}
