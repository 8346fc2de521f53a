namespace Parma.Hosting.Metrics;

/// <summary>The label values of one time series, sorted by label name so equal sets compare equal.</summary>
internal sealed record LabelSet(IReadOnlyList<KeyValuePair<string, string>> Labels)
{
    public static readonly LabelSet Empty = new([]);

    public static LabelSet From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }

        var labels = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var tag in tags)
        {
            labels.Add(new(tag.Key, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new LabelSet(labels);
    }

    public bool Equals(LabelSet? other) => other is not null && Labels.SequenceEqual(other.Labels);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var label in Labels)
        {
            hash.Add(label.Key);
            hash.Add(label.Value);
        }

        return hash.ToHashCode();
    }
}

/// <summary>A running sum (counters, up-down counters) or last value (gauges).</summary>
internal sealed class ValueSeries
{
    private double _value;
    private readonly object _gate = new();

    public double Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    public void Add(double delta)
    {
        lock (_gate)
        {
            _value += delta;
        }
    }

    public void Set(double value)
    {
        lock (_gate)
        {
            _value = value;
        }
    }
}

/// <summary>Cumulative histogram buckets with sum and count, as Prometheus exposes them.</summary>
internal sealed class HistogramSeries(IReadOnlyList<double> bounds)
{
    private readonly long[] _buckets = new long[bounds.Count + 1];
    private readonly object _gate = new();
    private double _sum;
    private long _count;

    public IReadOnlyList<double> Bounds { get; } = bounds;

    public void Record(double value)
    {
        var index = 0;
        while (index < Bounds.Count && value > Bounds[index])
        {
            index++;
        }

        lock (_gate)
        {
            _buckets[index]++;
            _sum += value;
            _count++;
        }
    }

    public (long[] Cumulative, double Sum, long Count) Snapshot()
    {
        lock (_gate)
        {
            var cumulative = new long[_buckets.Length];
            long running = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                running += _buckets[i];
                cumulative[i] = running;
            }

            return (cumulative, _sum, _count);
        }
    }
}
