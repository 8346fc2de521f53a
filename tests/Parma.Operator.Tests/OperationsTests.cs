using System.Net;
using Parma.Operator.Tests.Support;
using Parma.Testing;
using Parma.Testing.ApiServer;

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
        (await http.GetStringAsync(new Uri("/readyz", UriKind.Relative))).Should().Be("[+]controller ok\nreadyz check passed\n");
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.Should().Contain("# TYPE parma_operator_reconcile_total counter\n")
            .And.Contain("parma_operator_reconcile_total{result=\"success\"}")
            .And.Contain("# TYPE parma_operator_reconcile_duration_seconds histogram\n")
            .And.Contain("parma_operator_reconcile_duration_seconds_bucket{le=\"30\"}")
            .And.Contain("parma_operator_workqueue_depth")
            .And.Contain("parma_operator_pods_created_total")
            .And.Contain("parma_operator_leader{} 1\n");
        var lint = await Promtool.CheckMetricsAsync(metrics);
        lint.ExitCode.Should().Be(0, lint.StandardOutput + lint.StandardError);
    }

    [Fact]
    public async Task A_leader_is_unready_until_its_caches_sync_while_a_standby_is_ready()
    {
        using var authority = new TestCertificateAuthority();
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"parma-unreachable-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(kubeconfig, UnreachableApiServer.Kubeconfig(authority));
        try
        {
            var leader = await _harness.StartOperatorAsync("unsynced", leaderElect: false, "--kubeconfig", kubeconfig);
            var standby = await _harness.StartOperatorAsync("standby", leaderElect: true, "--kubeconfig", kubeconfig);
            using var leaderHttp = new HttpClient { BaseAddress = leader.BaseUri };
            using var standbyHttp = new HttpClient { BaseAddress = standby.BaseUri };

            (await leaderHttp.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
            using var unready = await leaderHttp.GetAsync(new Uri("/readyz", UriKind.Relative));
            unready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await unready.Content.ReadAsStringAsync()).Should().Be("[-]controller failed: the controller leads but its caches are not synced yet\nreadyz check failed\n");
            (await standbyHttp.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, "a standby is ready to take over");
            standby.IsLeader.Should().BeFalse();
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
