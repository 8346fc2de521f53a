using System.Net;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>/healthz, /readyz and /metrics on the operator's HTTP port.</summary>
[Collection(OperatorCollection.Name)]
public sealed class OperationsTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await OperatorHarness.StartAsync(images);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Metrics_show_reconciles_by_result_and_the_probes_answer()
    {
        var running = await _harness.StartOperatorAsync(leaderElect: false);
        await _harness.CreateGroupAsync("metered", images.Hello, replicas: 1);
        await _harness.WaitRolledOutAsync("metered", 1);
        using var http = new HttpClient { BaseAddress = running.BaseUri };

        (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "/readyz 200");
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.Should().Contain("parma_operator_reconcile_total{result=\"success\"}")
            .And.Contain("parma_operator_reconcile_duration_seconds_bucket")
            .And.Contain("parma_operator_workqueue_depth")
            .And.Contain("parma_operator_pods_created_total")
            .And.Contain("parma_operator_leader 1");
    }
}
