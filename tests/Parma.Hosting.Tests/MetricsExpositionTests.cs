using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Parma.Hosting.Metrics;
using Parma.Testing;

namespace Parma.Hosting.Tests;

/// <summary>
/// /metrics as Prometheus reads it: the names, labels, types and histogram buckets of the "Parma" meters exactly as
/// the instruments are written (operators' dashboards, alerts and the chart's ServiceMonitor depend on them).
/// Every host in the process sees every "Parma" meter, so the tests that make meters run one at a time (<see cref="MetersCollection"/>).
/// </summary>
[Collection(MetersCollection.Name)]
public sealed class MetricsExpositionTests
{
    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    [Fact]
    public async Task Counters_sum_per_label_set_and_render_with_help_and_type()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Counters");
        var counter = meter.CreateCounter<long>("parma_test_requests_total", description: "Requests handled.");
        counter.Add(2, Tag("result", "allowed"));
        counter.Add(3, Tag("result", "allowed"));
        counter.Add(1, Tag("result", "denied \"x\"\n"));

        var text = await host.ScrapeAsync();

        text.Should().Contain("# HELP parma_test_requests_total Requests handled.\n")
            .And.Contain("# TYPE parma_test_requests_total counter\n")
            .And.Contain("parma_test_requests_total{result=\"allowed\"} 5\n")
            .And.Contain("parma_test_requests_total{result=\"denied \\\"x\\\"\\n\"} 1\n");
    }

    [Fact]
    public async Task Several_labels_are_all_kept_and_no_scope_or_target_labels_are_added()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Labels");
        meter.CreateCounter<long>("parma_test_admission_total").Add(1, Tag("operation", "mutate_pods"), Tag("result", "patched"));

        var text = await host.ScrapeAsync();

        text.Should().Contain("parma_test_admission_total{operation=\"mutate_pods\",result=\"patched\"} 1\n");
        text.Should().NotContain("otel_scope").And.NotContain("target_info");
    }

    [Fact]
    public async Task Histograms_are_cumulative_over_the_house_buckets_with_sum_count_and_inf()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Histograms");
        var histogram = meter.CreateHistogram<double>("parma_test_duration_seconds", unit: "s", description: "Time taken.");
        histogram.Record(0.0002, Tag("operation", "x"));
        histogram.Record(0.003, Tag("operation", "x"));
        histogram.Record(100, Tag("operation", "x"));

        var text = await host.ScrapeAsync();

        text.Should().Contain("# TYPE parma_test_duration_seconds histogram\n");
        var buckets = text.Split('\n').Where(l => l.StartsWith("parma_test_duration_seconds_bucket", StringComparison.Ordinal)).ToList();
        buckets.Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.LastIndexOf('"')])
            .Should().Equal(ParmaMetrics.DefaultBuckets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("+Inf"));
        text.Should().Contain("parma_test_duration_seconds_bucket{operation=\"x\",le=\"0.0001\"} 0\n")
            .And.Contain("parma_test_duration_seconds_bucket{operation=\"x\",le=\"0.00025\"} 1\n")
            .And.Contain("parma_test_duration_seconds_bucket{operation=\"x\",le=\"0.005\"} 2\n")
            .And.Contain("parma_test_duration_seconds_bucket{operation=\"x\",le=\"30\"} 2\n")
            .And.Contain("parma_test_duration_seconds_bucket{operation=\"x\",le=\"+Inf\"} 3\n")
            .And.Contain("parma_test_duration_seconds_count{operation=\"x\"} 3\n")
            .And.Contain("parma_test_duration_seconds_sum{operation=\"x\"} 100.0032");
    }

    [Fact]
    public async Task A_histogram_with_bucket_advice_keeps_its_own_buckets()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Advice");
        meter.CreateHistogram("parma_test_size_bytes", unit: "By", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1024, 65536] }).Record(2048);

        var text = await host.ScrapeAsync();

        text.Should().Contain("parma_test_size_bytes_bucket{le=\"1024\"} 0\nparma_test_size_bytes_bucket{le=\"65536\"} 1\nparma_test_size_bytes_bucket{le=\"+Inf\"} 1\n");
    }

    [Fact]
    public async Task Gauges_report_the_current_value_and_up_down_counters_the_running_sum()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Gauges");
        var depth = 7;
        meter.CreateObservableGauge("parma_test_queue_depth", () => depth);
        var inflight = meter.CreateUpDownCounter<long>("parma_test_inflight");
        inflight.Add(3);
        inflight.Add(-1);

        var first = await host.ScrapeAsync();
        first.Should().Contain("# TYPE parma_test_queue_depth gauge\n").And.Contain("parma_test_queue_depth{} 7\n");
        depth = 2;
        var second = await host.ScrapeAsync();
        second.Should().Contain("parma_test_queue_depth{} 2\n", "every scrape reads the instruments afresh");
        second.Should().Contain("# TYPE parma_test_inflight gauge\n").And.Contain("parma_test_inflight{} 2\n");
    }

    [Fact]
    public async Task Meters_outside_Parma_are_not_exported()
    {
        await using var host = await OperationsHost.StartAsync();
        using var other = new Meter("Someone.Else");
        other.CreateCounter<long>("other_total").Add(1);
        using var lookalike = new Meter("ParmaLookalike");
        lookalike.CreateCounter<long>("lookalike_total").Add(1);

        var text = await host.ScrapeAsync();

        text.Should().NotContain("other_total").And.NotContain("lookalike_total");
    }

    [Fact]
    public async Task The_scrape_is_Prometheus_text_0_0_4_unless_OpenMetrics_is_asked_for()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Formats");
        meter.CreateCounter<long>("parma_test_formats_total").Add(4);

        using var plain = await host.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        plain.StatusCode.Should().Be(HttpStatusCode.OK);
        plain.Content.Headers.ContentType!.ToString().Should().Contain("text/plain").And.Contain("version=0.0.4");
        (await plain.Content.ReadAsStringAsync()).Should().Contain("parma_test_formats_total{} 4\n");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text; version=1.0.0"));
        using var open = await host.Client.SendAsync(request);
        open.Content.Headers.ContentType!.MediaType.Should().Be("application/openmetrics-text");
        var text = await open.Content.ReadAsStringAsync();
        text.Should().Contain("# TYPE parma_test_formats counter\n").And.Contain("parma_test_formats_total{} 4").And.EndWith("# EOF\n");
    }

    [Fact]
    public async Task Prometheus_parses_the_scrape_and_finds_nothing_to_lint()
    {
        await using var host = await OperationsHost.StartAsync();
        using var meter = new Meter("Parma.Test.Promtool");
        meter.CreateCounter<long>("parma_lint_requests_total", description: "Requests.").Add(1, Tag("result", "a \"quoted\"\nvalue\\"));
        meter.CreateHistogram<double>("parma_lint_duration_seconds", unit: "s", description: "Time.").Record(0.5, Tag("operation", "x"));
        meter.CreateObservableGauge("parma_lint_depth", () => 3, description: "Depth.");
        meter.CreateUpDownCounter<long>("parma_lint_inflight", description: "In flight.").Add(1);

        var text = await host.ScrapeAsync();
        var lint = await Promtool.CheckMetricsAsync(text);

        text.Should().Contain("parma_lint_requests_total{").And.Contain("parma_lint_duration_seconds_bucket{").And.Contain("parma_lint_depth{} 3");
        lint.ExitCode.Should().Be(0, lint.StandardOutput + lint.StandardError);
    }

    [Fact]
    public async Task A_scrape_with_nothing_to_report_still_says_it_is_Prometheus_text()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/metrics", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().BeEmpty();
        response.Content.Headers.ContentType!.ToString().Should().Be(ParmaMetrics.TextContentType, "Prometheus 3 fails a scrape without a Content-Type");
    }
}
