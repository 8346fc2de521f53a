namespace Parma.Rego.Builtins;

/// <summary>
/// Builtins OPA deprecated: available to Rego v0 modules only; a v1 module that calls one is a compile error, as in
/// OPA (re_match and net.cidr_overlap are registered with their families).
/// </summary>
internal static class Deprecated
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "all", "any", "cast_array", "cast_boolean", "cast_null", "cast_object", "cast_set", "cast_string", "set_diff", "re_match", "net.cidr_overlap",
    };

    public static void Register(Registrar add)
    {
        add("all", 1, a => Value.Bool(Args.Collection("all", a, 0).All(v => v is BooleanValue { BoolValue: true })));
        add("any", 1, a => Value.Bool(Args.Collection("any", a, 0).Any(v => v is BooleanValue { BoolValue: true })));
        add("cast_array", 1, a => a[0] switch
        {
            ArrayValue arr => arr,
            SetValue s => Value.Array(s.Items),
            _ => throw Args.TypeError("cast_array", 1, "one of {array, set}", a[0]),
        });
        add("cast_set", 1, a => a[0] switch
        {
            ArrayValue arr => Value.Set(arr.Items),
            SetValue s => s,
            _ => throw Args.TypeError("cast_set", 1, "one of {array, set}", a[0]),
        });
        add("cast_boolean", 1, a => a[0] is BooleanValue ? a[0] : throw Args.TypeError("cast_boolean", 1, "boolean", a[0]));
        add("cast_null", 1, a => a[0] is NullValue ? a[0] : throw Args.TypeError("cast_null", 1, "null", a[0]));
        add("cast_object", 1, a => a[0] is ObjectValue ? a[0] : throw Args.TypeError("cast_object", 1, "object", a[0]));
        add("cast_string", 1, a => a[0] is StringValue ? a[0] : throw Args.TypeError("cast_string", 1, "string", a[0]));
        add("set_diff", 2, a => Value.Set(Args.Set("set_diff", a, 0).Items.Where(v => !Args.Set("set_diff", a, 1).Contains(v))));
    }
}
