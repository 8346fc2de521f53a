namespace Parma.Rego;

/// <summary>
/// A fixed list of string keys, sorted once, for building many objects that have the same keys (for
/// example one object per message of a protobuf type) without sorting or hashing the keys each time.
/// A name listed twice keeps the value given last, as <see cref="Value.Object(IEnumerable{KeyValuePair{string, Value}})"/> does.
/// </summary>
public sealed class ObjectShape
{
    private readonly Value[] _keys;
    private readonly int[] _slotOfName;

    public ObjectShape(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var distinct = names.Distinct(StringComparer.Ordinal).Select(Value.String).ToArray();
        System.Array.Sort(distinct);
        _keys = distinct;
        _slotOfName = new int[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            _slotOfName[i] = System.Array.BinarySearch(_keys, Value.String(names[i]));
        }
    }

    /// <summary>The number of names the shape was built from (the length <see cref="Create"/> expects).</summary>
    public int NameCount => _slotOfName.Length;

    /// <summary>An object whose value for the i-th name is <paramref name="valuesInNameOrder"/>[i].</summary>
    public Value Create(Value[] valuesInNameOrder)
    {
        ArgumentNullException.ThrowIfNull(valuesInNameOrder);
        if (valuesInNameOrder.Length != _slotOfName.Length)
        {
            throw new ArgumentException($"expected {_slotOfName.Length} values, got {valuesInNameOrder.Length}", nameof(valuesInNameOrder));
        }

        if (_keys.Length == 0)
        {
            return Value.EmptyObject;
        }

        var values = new Value[_keys.Length];
        for (var i = 0; i < valuesInNameOrder.Length; i++)
        {
            values[_slotOfName[i]] = valuesInNameOrder[i] ?? throw new ArgumentException($"value {i} is null", nameof(valuesInNameOrder));
        }

        return new ObjectValue(_keys, values);
    }
}
