using System.Numerics;

namespace Parma.Rego;

/// <summary>An immutable Rego value. Equality, hashing and ordering follow OPA (1 == 1.0; null &lt; boolean &lt; number &lt; string &lt; array &lt; object &lt; set).</summary>
public abstract partial class Value : IComparable<Value>, IEquatable<Value>
{
    private protected Value()
    {
    }

    public static readonly Value Null = new NullValue();
    public static readonly Value True = new BooleanValue(true);
    public static readonly Value False = new BooleanValue(false);
    public static readonly Value EmptyString = new StringValue(string.Empty);
    public static readonly Value EmptyArray = new ArrayValue([]);
    public static readonly Value EmptyObject = new ObjectValue([], []);
    public static readonly Value EmptySet = new SetValue([]);

    public abstract ValueKind Kind { get; }

    public static Value Bool(bool value) => value ? True : False;

    public static Value String(string value) => value.Length == 0 ? EmptyString : new StringValue(value);

    public static Value Number(long value) => NumberValue.FromInteger(value);

    public static Value Number(BigInteger value) => NumberValue.FromInteger(value);

    public static Value Number(double value) => NumberValue.FromDouble(value);

    public static Value Number(decimal value) => NumberValue.FromDecimal(value);

    public static Value Array(IEnumerable<Value> items) => new ArrayValue(items.ToArray());

    public static Value Array(params Value[] items) => items.Length == 0 ? EmptyArray : new ArrayValue(items);

    public static Value Set(IEnumerable<Value> items) => SetValue.Create(items);

    public static Value Object(IEnumerable<KeyValuePair<Value, Value>> pairs) => ObjectValue.Create(pairs);

    public static Value Object(IEnumerable<KeyValuePair<string, Value>> pairs) =>
        ObjectValue.Create(pairs.Select(p => new KeyValuePair<Value, Value>(String(p.Key), p.Value)));

    public bool IsNull => Kind == ValueKind.Null;

    public bool IsTrue => ReferenceEquals(this, True) || (this is BooleanValue b && b.BoolValue);

    /// <summary>Looks up a key (object key, array index, set member). Null when absent.</summary>
    public virtual Value? this[Value key] => null;

    public Value? this[string key] => this[String(key)];

    public abstract int CompareTo(Value? other);

    public abstract bool Equals(Value? other);

    public override bool Equals(object? obj) => obj is Value v && Equals(v);

    public abstract override int GetHashCode();

    public override string ToString() => ToJson();

    public static bool operator ==(Value? a, Value? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Value? a, Value? b) => !(a == b);

    public static bool operator <(Value a, Value b) => a.CompareTo(b) < 0;

    public static bool operator >(Value a, Value b) => a.CompareTo(b) > 0;

    public static bool operator <=(Value a, Value b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Value a, Value b) => a.CompareTo(b) >= 0;

    private protected int CompareKinds(Value? other) => other is null ? 1 : Kind.CompareTo(other.Kind);
}

public sealed class NullValue : Value
{
    internal NullValue()
    {
    }

    public override ValueKind Kind => ValueKind.Null;

    public override int CompareTo(Value? other) => CompareKinds(other);

    public override bool Equals(Value? other) => other is NullValue;

    public override int GetHashCode() => 0x1234;
}

public sealed class BooleanValue : Value
{
    internal BooleanValue(bool value) => BoolValue = value;

    public bool BoolValue { get; }

    public override ValueKind Kind => ValueKind.Boolean;

    public override int CompareTo(Value? other) =>
        other is BooleanValue b ? BoolValue.CompareTo(b.BoolValue) : CompareKinds(other);

    public override bool Equals(Value? other) => other is BooleanValue b && b.BoolValue == BoolValue;

    public override int GetHashCode() => BoolValue ? 0x5555 : 0x2222;
}

public sealed class StringValue : Value
{
    internal StringValue(string value) => Text = value;

    public string Text { get; }

    public override ValueKind Kind => ValueKind.String;

    public override int CompareTo(Value? other) =>
        other is StringValue s ? string.CompareOrdinal(Text, s.Text) switch { < 0 => -1, > 0 => 1, _ => 0 } : CompareKinds(other);

    public override bool Equals(Value? other) => other is StringValue s && s.Text == Text;

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}
