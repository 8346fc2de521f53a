namespace Parma.Rego;

public sealed class ArrayValue : Value
{
    private int _hash;

    internal ArrayValue(Value[] items) => Items = items;

    internal Value[] Items { get; }

    public IReadOnlyList<Value> Elements => Items;

    public int Count => Items.Length;

    public override ValueKind Kind => ValueKind.Array;

    public override Value? this[Value key] =>
        key is NumberValue n && n.TryGetInt(out var i) && i >= 0 && i < Items.Length ? Items[i] : null;

    public override int CompareTo(Value? other)
    {
        if (other is not ArrayValue a)
        {
            return CompareKinds(other);
        }

        var n = Math.Min(Items.Length, a.Items.Length);
        for (var i = 0; i < n; i++)
        {
            var c = Items[i].CompareTo(a.Items[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return Items.Length.CompareTo(a.Items.Length);
    }

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not ArrayValue a || a.Items.Length != Items.Length)
        {
            return false;
        }

        for (var i = 0; i < Items.Length; i++)
        {
            if (!Items[i].Equals(a.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            h.Add(4);
            foreach (var item in Items)
            {
                h.Add(item.GetHashCode());
            }

            _hash = h.ToHashCode() | 1;
        }

        return _hash;
    }
}

/// <summary>An object with keys kept sorted in OPA order; iteration is deterministic.</summary>
public sealed class ObjectValue : Value
{
    private int _hash;
    private Dictionary<Value, int>? _index;

    internal ObjectValue(Value[] keys, Value[] values)
    {
        KeyArray = keys;
        ValueArray = values;
    }

    internal Value[] KeyArray { get; }

    internal Value[] ValueArray { get; }

    public int Count => KeyArray.Length;

    public IReadOnlyList<Value> Keys => KeyArray;

    public IEnumerable<KeyValuePair<Value, Value>> Pairs
    {
        get
        {
            for (var i = 0; i < KeyArray.Length; i++)
            {
                yield return new KeyValuePair<Value, Value>(KeyArray[i], ValueArray[i]);
            }
        }
    }

    public override ValueKind Kind => ValueKind.Object;

    /// <summary>Builds an object; a later duplicate key replaces an earlier one.</summary>
    internal static ObjectValue Create(IEnumerable<KeyValuePair<Value, Value>> pairs)
    {
        var dict = new Dictionary<Value, Value>();
        foreach (var (k, v) in pairs)
        {
            dict[k] = v;
        }

        return FromDictionary(dict);
    }

    internal static ObjectValue FromDictionary(Dictionary<Value, Value> dict)
    {
        if (dict.Count == 0)
        {
            return (ObjectValue)EmptyObject;
        }

        var keys = dict.Keys.ToArray();
        System.Array.Sort(keys);
        var values = new Value[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = dict[keys[i]];
        }

        return new ObjectValue(keys, values);
    }

    public override Value? this[Value key]
    {
        get
        {
            var i = IndexOf(key);
            return i >= 0 ? ValueArray[i] : null;
        }
    }

    internal int IndexOf(Value key)
    {
        if (KeyArray.Length <= 8)
        {
            for (var i = 0; i < KeyArray.Length; i++)
            {
                if (KeyArray[i].Equals(key))
                {
                    return i;
                }
            }

            return -1;
        }

        var index = _index;
        if (index is null && KeyArray.Length <= 64)
        {
            // Keys are sorted: a binary search spares short-lived objects (request inputs) a hash index.
            return BinarySearch(key);
        }

        if (index is null)
        {
            index = new Dictionary<Value, int>(KeyArray.Length);
            for (var i = 0; i < KeyArray.Length; i++)
            {
                index[KeyArray[i]] = i;
            }

            _index = index;
        }

        return index.TryGetValue(key, out var found) ? found : -1;
    }

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (keys stay sorted, no re-sort).</summary>
    internal ObjectValue With(Value key, Value value)
    {
        var at = IndexOf(key);
        if (at >= 0)
        {
            var values = (Value[])ValueArray.Clone();
            values[at] = value;
            return new ObjectValue(KeyArray, values);
        }

        var insert = ~System.Array.BinarySearch(KeyArray, key);

        var keys = new Value[KeyArray.Length + 1];
        var vals = new Value[keys.Length];
        System.Array.Copy(KeyArray, keys, insert);
        System.Array.Copy(ValueArray, vals, insert);
        keys[insert] = key;
        vals[insert] = value;
        System.Array.Copy(KeyArray, insert, keys, insert + 1, KeyArray.Length - insert);
        System.Array.Copy(ValueArray, insert, vals, insert + 1, ValueArray.Length - insert);
        return new ObjectValue(keys, vals);
    }

    /// <summary>A copy without <paramref name="key"/> (the same object when the key is absent).</summary>
    internal ObjectValue Without(Value key)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            return this;
        }

        if (KeyArray.Length == 1)
        {
            return (ObjectValue)EmptyObject;
        }

        var keys = new Value[KeyArray.Length - 1];
        var vals = new Value[keys.Length];
        System.Array.Copy(KeyArray, keys, at);
        System.Array.Copy(ValueArray, vals, at);
        System.Array.Copy(KeyArray, at + 1, keys, at, keys.Length - at);
        System.Array.Copy(ValueArray, at + 1, vals, at, vals.Length - at);
        return new ObjectValue(keys, vals);
    }

    /// <summary>Binary search over the sorted keys; string keys (the usual case) compare without a virtual call.</summary>
    private int BinarySearch(Value key)
    {
        var keys = KeyArray;
        var text = (key as StringValue)?.Text;
        int lo = 0, hi = keys.Length - 1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var candidate = keys[mid];
            var c = text is not null && candidate is StringValue s ? string.CompareOrdinal(s.Text, text) : candidate.CompareTo(key);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    public Dictionary<Value, Value> ToDictionary()
    {
        var dict = new Dictionary<Value, Value>(KeyArray.Length);
        for (var i = 0; i < KeyArray.Length; i++)
        {
            dict[KeyArray[i]] = ValueArray[i];
        }

        return dict;
    }

    public override int CompareTo(Value? other)
    {
        if (other is not ObjectValue o)
        {
            return CompareKinds(other);
        }

        var n = Math.Min(Count, o.Count);
        for (var i = 0; i < n; i++)
        {
            var c = KeyArray[i].CompareTo(o.KeyArray[i]);
            if (c != 0)
            {
                return c;
            }

            c = ValueArray[i].CompareTo(o.ValueArray[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return Count.CompareTo(o.Count);
    }

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not ObjectValue o || o.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < KeyArray.Length; i++)
        {
            if (!KeyArray[i].Equals(o.KeyArray[i]) || !ValueArray[i].Equals(o.ValueArray[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            h.Add(5);
            for (var i = 0; i < KeyArray.Length; i++)
            {
                h.Add(KeyArray[i].GetHashCode());
                h.Add(ValueArray[i].GetHashCode());
            }

            _hash = h.ToHashCode() | 1;
        }

        return _hash;
    }
}

/// <summary>A set with members kept sorted in OPA order.</summary>
public sealed class SetValue : Value
{
    private int _hash;
    private HashSet<Value>? _index;

    internal SetValue(Value[] sortedDistinct) => Items = sortedDistinct;

    internal Value[] Items { get; }

    public IReadOnlyList<Value> Elements => Items;

    public int Count => Items.Length;

    public override ValueKind Kind => ValueKind.Set;

    /// <summary>A set from items that may repeat, by sorting and dropping neighbours that compare equal (no hashing).</summary>
    internal static SetValue FromList(List<Value> items) => items.Count == 0 ? (SetValue)EmptySet : SortedDistinct(items.ToArray());

    /// <summary>The set of the given items (the array is copied, not kept).</summary>
    internal static SetValue FromItems(Value[] items) => items.Length == 0 ? (SetValue)EmptySet : SortedDistinct((Value[])items.Clone());

    private static SetValue SortedDistinct(Value[] arr)
    {
        System.Array.Sort(arr);
        var n = 1;
        for (var i = 1; i < arr.Length; i++)
        {
            if (arr[i].CompareTo(arr[n - 1]) != 0)
            {
                arr[n++] = arr[i];
            }
        }

        return new SetValue(n == arr.Length ? arr : arr[..n]);
    }

    internal static SetValue Create(IEnumerable<Value> items)
    {
        var hs = items as HashSet<Value> ?? new HashSet<Value>(items);
        if (hs.Count == 0)
        {
            return (SetValue)EmptySet;
        }

        var arr = hs.ToArray();
        System.Array.Sort(arr);
        return new SetValue(arr);
    }

    public bool Contains(Value v)
    {
        if (Items.Length <= 8)
        {
            foreach (var item in Items)
            {
                if (item.Equals(v))
                {
                    return true;
                }
            }

            return false;
        }

        var index = _index ??= new HashSet<Value>(Items);
        return index.Contains(v);
    }

    public override Value? this[Value key] => Contains(key) ? key : null;

    public override int CompareTo(Value? other)
    {
        if (other is not SetValue s)
        {
            return CompareKinds(other);
        }

        var n = Math.Min(Count, s.Count);
        for (var i = 0; i < n; i++)
        {
            var c = Items[i].CompareTo(s.Items[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return Count.CompareTo(s.Count);
    }

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not SetValue s || s.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < Items.Length; i++)
        {
            if (!Items[i].Equals(s.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            h.Add(6);
            foreach (var item in Items)
            {
                h.Add(item.GetHashCode());
            }

            _hash = h.ToHashCode() | 1;
        }

        return _hash;
    }
}
