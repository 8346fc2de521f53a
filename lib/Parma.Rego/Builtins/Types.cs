using System.Globalization;

namespace Parma.Rego.Builtins;

/// <summary>is_*, type_name and to_number.</summary>
internal static class Types
{
    public static void Register(Registrar add)
    {
        add("is_number", 1, a => Value.Bool(a[0].Kind == ValueKind.Number));
        add("is_string", 1, a => Value.Bool(a[0].Kind == ValueKind.String));
        add("is_boolean", 1, a => Value.Bool(a[0].Kind == ValueKind.Boolean));
        add("is_array", 1, a => Value.Bool(a[0].Kind == ValueKind.Array));
        add("is_set", 1, a => Value.Bool(a[0].Kind == ValueKind.Set));
        add("is_object", 1, a => Value.Bool(a[0].Kind == ValueKind.Object));
        add("is_null", 1, a => Value.Bool(a[0].Kind == ValueKind.Null));
        add("type_name", 1, a => Value.String(Args.TypeName(a[0])));
        add("to_number", 1, a => a[0] switch
        {
            NumberValue n => n,
            NullValue => Value.Number(0),
            BooleanValue b => Value.Number(b.BoolValue ? 1 : 0),
            StringValue s => ParseNumber(s.Text),
            _ => throw Args.TypeError("to_number", 1, "one of {boolean, null, number, string}", a[0]),
        });
    }

    private static Value ParseNumber(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && trimmed == text && !text.StartsWith('+') && !text.Contains("0x", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return NumberValue.Parse(text) ?? Value.Number(d);
        }

        throw Args.Error("to_number", $"strconv.ParseFloat: parsing \"{text}\": invalid syntax");
    }
}
