using System.Globalization;

namespace Parma.Rego.Evaluation;

/// <summary>
/// How a reference reads base documents (data given to the engine or mounted into it, as opposed to rule
/// values). OPA reads them through its store, whose paths are strings: a number segment becomes its decimal
/// text, so <c>data.nested[2]</c> finds the key <c>"2"</c>; a string segment indexes an array when Go's
/// <c>strconv.Atoi</c> accepts it (optional sign, decimal digits); booleans, null and composites name
/// nothing. Rule values and local values keep exact key matching.
/// </summary>
internal static class BaseDocument
{
    public static Value? Child(Value document, Value key)
    {
        switch (document)
        {
            case ObjectValue o:
                return o[key] ?? (key is NumberValue n ? o[Value.String(PathSegment(n))] : null);
            case ArrayValue a:
                if (key is StringValue s)
                {
                    return ArrayIndex(s.Text) is { } index && index < a.Items.Length ? a.Items[index] : null;
                }

                return a[key];
            default:
                return document[key];
        }
    }

    /// <summary>The store path segment for a number: its text as OPA prints it.</summary>
    public static string PathSegment(NumberValue n) => n.ToText();

    /// <summary>An array index from a path segment the way strconv.Atoi reads it; null when it is not a non-negative int64.</summary>
    private static int? ArrayIndex(string text)
    {
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return null;
        }

        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return null;
        }

        return value > int.MaxValue ? int.MaxValue : (int)value;
    }
}
