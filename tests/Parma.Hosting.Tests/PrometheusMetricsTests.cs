using System.Diagnostics.Metrics;
using Parma.Hosting.Metrics;

namespace Parma.Hosting.Tests;

public sealed class PrometheusMetricsTests
{
    [Fact]
    public void Counters_sum_per_label_set_and_render_with_help_and_type()
    {
        using var metrics = new PrometheusMetrics("ParmaTest.Counters");
        using var meter = new Meter("ParmaTest.Counters");
        var counter = meter.CreateCounter<long>("parma_test_requests_total", description: "Requests handled.");
        counter.Add(2, new KeyValuePair<string, object?>("result", "allowed"));
        counter.Add(3, new KeyValuePair<string, object?>("result", "allowed"));
        counter.Add(1, new KeyValuePair<string, object?>("result", "denied \"x\"\n"));

        var text = metrics.Render();

        text.Should().Contain("# HELP parma_test_requests_total Requests handled.\n# TYPE parma_test_requests_total counter\n");
        text.Should().Contain("parma_test_requests_total{result=\"allowed\"} 5\n");
        text.Should().Contain("parma_test_requests_total{result=\"denied \\\"x\\\"\\n\"} 1\n");
    }

    [Fact]
    public void Histograms_are_cumulative_with_sum_count_and_inf()
    {
        using var metrics = new PrometheusMetrics("ParmaTest.Histograms");
        using var meter = new Meter("ParmaTest.Histograms");
        var histogram = meter.CreateHistogram<double>("parma_test_duration_seconds");
        histogram.Record(0.0002);
        histogram.Record(0.003);
        histogram.Record(100);

        var text = metrics.Render();

        text.Should().Contain("# TYPE parma_test_duration_seconds histogram\n");
        text.Should().Contain("parma_test_duration_seconds_bucket{le=\"0.00025\"} 1\n");
        text.Should().Contain("parma_test_duration_seconds_bucket{le=\"0.005\"} 2\n");
        text.Should().Contain("parma_test_duration_seconds_bucket{le=\"30\"} 2\n");
        text.Should().Contain("parma_test_duration_seconds_bucket{le=\"+Inf\"} 3\n");
        text.Should().Contain("parma_test_duration_seconds_count 3\n");
        text.Should().Contain("parma_test_duration_seconds_sum 100.0032");
    }

    [Fact]
    public void Gauges_report_the_current_value_and_up_down_counters_the_running_sum()
    {
        using var metrics = new PrometheusMetrics("ParmaTest.Gauges");
        using var meter = new Meter("ParmaTest.Gauges");
        var depth = 7;
        meter.CreateObservableGauge("parma_test_queue_depth", () => depth);
        var inflight = meter.CreateUpDownCounter<long>("parma_test_inflight");
        inflight.Add(3);
        inflight.Add(-1);

        metrics.Render().Should().Contain("# TYPE parma_test_queue_depth gauge\nparma_test_queue_depth 7\n");
        depth = 2;
        var text = metrics.Render();
        text.Should().Contain("parma_test_queue_depth 2\n");
        text.Should().Contain("# TYPE parma_test_inflight gauge\nparma_test_inflight 2\n");
    }

    [Fact]
    public void Meters_outside_the_prefix_are_not_exported()
    {
        using var metrics = new PrometheusMetrics("ParmaTest.Only");
        using var other = new Meter("Someone.Else");
        other.CreateCounter<long>("other_total").Add(1);
        metrics.Render().Should().NotContain("other_total");
    }
}
