using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>Argument checks with OPA's error wording ("NAME: operand N must be T but got U").</summary>
internal static class Args
{
    public static string TypeName(Value v) => v.Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Boolean => "boolean",
        ValueKind.Number => "number",
        ValueKind.String => "string",
        ValueKind.Array => "array",
        ValueKind.Object => "object",
        _ => "set",
    };

    public static RegoException TypeError(string name, int operand, string expected, Value got) =>
        new(RegoException.Codes.EvalTypeError, $"{name}: operand {operand} must be {expected} but got {TypeName(got)}");

    public static RegoException Error(string name, string message) =>
        new(RegoException.Codes.BuiltinError, $"{name}: {message}");

    public static string Str(string name, Value[] args, int i) =>
        args[i] is StringValue s ? s.Text : throw TypeError(name, i + 1, "string", args[i]);

    public static NumberValue Num(string name, Value[] args, int i) =>
        args[i] as NumberValue ?? throw TypeError(name, i + 1, "number", args[i]);

    public static BigInteger Int(string name, Value[] args, int i)
    {
        var n = Num(name, args, i);
        return n.IsInteger ? n.Integer : throw new RegoException(RegoException.Codes.EvalTypeError, $"{name}: operand {i + 1} must be integer number but got floating-point number");
    }

    public static int SmallInt(string name, Value[] args, int i)
    {
        var n = Int(name, args, i);
        return n > int.MaxValue ? int.MaxValue : n < int.MinValue ? int.MinValue : (int)n;
    }

    public static ArrayValue Arr(string name, Value[] args, int i) =>
        args[i] as ArrayValue ?? throw TypeError(name, i + 1, "array", args[i]);

    public static ObjectValue Obj(string name, Value[] args, int i) =>
        args[i] as ObjectValue ?? throw TypeError(name, i + 1, "object", args[i]);

    public static SetValue Set(string name, Value[] args, int i) =>
        args[i] as SetValue ?? throw TypeError(name, i + 1, "set", args[i]);

    public static bool Bool(string name, Value[] args, int i) =>
        args[i] is BooleanValue b ? b.BoolValue : throw TypeError(name, i + 1, "boolean", args[i]);

    /// <summary>Elements of an array or set.</summary>
    public static Value[] Collection(string name, Value[] args, int i) => args[i] switch
    {
        ArrayValue a => a.Items,
        SetValue s => s.Items,
        _ => throw TypeError(name, i + 1, "one of {array, set}", args[i]),
    };

    public static string[] Strings(string name, Value[] args, int i)
    {
        var items = Collection(name, args, i);
        return items.Select(v => v is StringValue s ? s.Text : throw TypeError(name, i + 1, "one of {array, set} of strings", args[i])).ToArray();
    }
}
