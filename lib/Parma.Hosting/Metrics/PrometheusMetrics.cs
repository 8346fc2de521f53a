using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Parma.Hosting.Metrics;

/// <summary>
/// Collects every System.Diagnostics.Metrics instrument of the meters whose name starts with a prefix
/// ("Parma" by default) and renders them in the Prometheus text exposition format (version 0.0.4).
/// Instrument names are used as the metric names, so name them the Prometheus way.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bucket upper bounds (seconds-friendly) for histograms without advice.</summary>
    public static readonly IReadOnlyList<double> DefaultBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly string _meterPrefix;

    public PrometheusMetrics(string meterPrefix = "Parma")
    {
        _meterPrefix = meterPrefix;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(_meterPrefix, StringComparison.Ordinal))
            {
                _instruments[instrument] = new InstrumentState(instrument);
                listener.EnableMeasurementEvents(instrument, _instruments[instrument]);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Polls observable instruments and renders every series.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _instruments.Values
                     .GroupBy(s => s.Instrument.Name, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            var name = Sanitize(group.Key);
            if (!string.IsNullOrEmpty(first.Instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(first.Instrument.Description)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(first.PrometheusType).Append('\n');
            foreach (var state in group)
            {
                state.WriteSeries(name, text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = char.IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c));
            chars[i] = ok ? c : '_';
        }

        return new string(chars);
    }

    internal static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class InstrumentState(Instrument instrument)
    {
        private readonly ConcurrentDictionary<LabelSet, ValueSeries> _values = new();
        private readonly ConcurrentDictionary<LabelSet, HistogramSeries> _histograms = new();

        public Instrument Instrument { get; } = instrument;

        private bool IsHistogram => Instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

        private bool IsGauge => Instrument.GetType().Name.StartsWith("ObservableGauge", StringComparison.Ordinal)
            || Instrument.GetType().Name.StartsWith("Gauge", StringComparison.Ordinal);

        private bool IsObservableSum => Instrument.IsObservable && !IsGauge;

        public string PrometheusType => IsHistogram ? "histogram"
            : IsGauge || Instrument.GetType().Name.Contains("UpDown", StringComparison.Ordinal) ? "gauge"
            : "counter";

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = LabelSet.From(tags);
            if (IsHistogram)
            {
                _histograms.GetOrAdd(labels, _ => new HistogramSeries(DefaultBuckets)).Record(value);
            }
            else if (IsGauge || IsObservableSum)
            {
                // Observable instruments report the current total (or value), not a delta.
                _values.GetOrAdd(labels, _ => new ValueSeries()).Set(value);
            }
            else
            {
                _values.GetOrAdd(labels, _ => new ValueSeries()).Add(value);
            }
        }

        public void WriteSeries(string name, StringBuilder text)
        {
            foreach (var (labels, series) in _values.OrderBy(p => Key(p.Key), StringComparer.Ordinal))
            {
                text.Append(name);
                WriteLabels(text, labels, null);
                text.Append(' ').Append(FormatValue(series.Value)).Append('\n');
            }

            foreach (var (labels, histogram) in _histograms.OrderBy(p => Key(p.Key), StringComparer.Ordinal))
            {
                var (cumulative, sum, count) = histogram.Snapshot();
                for (var i = 0; i < cumulative.Length; i++)
                {
                    var bound = i < histogram.Bounds.Count ? FormatValue(histogram.Bounds[i]) : "+Inf";
                    text.Append(name).Append("_bucket");
                    WriteLabels(text, labels, bound);
                    text.Append(' ').Append(cumulative[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(name).Append("_sum");
                WriteLabels(text, labels, null);
                text.Append(' ').Append(FormatValue(sum)).Append('\n');
                text.Append(name).Append("_count");
                WriteLabels(text, labels, null);
                text.Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        private static string Key(LabelSet labels) => string.Join(",", labels.Labels.Select(l => $"{l.Key}={l.Value}"));

        private static void WriteLabels(StringBuilder text, LabelSet labels, string? le)
        {
            if (labels.Labels.Count == 0 && le is null)
            {
                return;
            }

            text.Append('{');
            var first = true;
            foreach (var (key, value) in labels.Labels)
            {
                if (!first)
                {
                    text.Append(',');
                }

                first = false;
                text.Append(Sanitize(key)).Append("=\"").Append(EscapeLabel(value)).Append('"');
            }

            if (le is not null)
            {
                text.Append(first ? "" : ",").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        private static string EscapeLabel(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
