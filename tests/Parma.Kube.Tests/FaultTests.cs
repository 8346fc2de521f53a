using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer.Faults;

namespace Parma.Kube.Tests;

public sealed class FaultTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>, IDisposable
{
    public void Dispose() => fixture.Server.Faults.Clear();

    private int Count(string method, string pathPart) =>
        fixture.Server.RequestLog.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    [Fact]
    public async Task Get_is_retried_after_429_honouring_retry_after()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "r429"));
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/r429"), StatusCode = 429, RetryAfterSeconds = 1, Count = 1 });

        var started = DateTimeOffset.UtcNow;
        var read = await fixture.Client.GetAsync<V1ConfigMap>("r429", ns);
        read.Metadata.Name.Should().Be("r429");
        Count("GET", "/r429").Should().Be(2);
        (DateTimeOffset.UtcNow - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9), "Retry-After: 1 was honoured");
    }

    [Fact]
    public async Task Get_is_retried_after_500s_until_the_retry_budget_is_spent()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "r500"));
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/r500"), StatusCode = 500, Count = 2 });
        (await fixture.Client.GetAsync<V1ConfigMap>("r500", ns)).Metadata.Name.Should().Be("r500");
        Count("GET", "/r500").Should().Be(3);

        using var client = fixture.NewClient(new Parma.Kube.Client.KubeRetryOptions { MaxRetries = 1, InitialDelay = TimeSpan.FromMilliseconds(5) });
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/r500"), StatusCode = 503, Count = 5 });
        var act = () => client.GetAsync<V1ConfigMap>("r500", ns);
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Reason.Should().Be("ServiceUnavailable");
    }

    [Fact]
    public async Task Create_is_not_retried_after_a_500()
    {
        var ns = await fixture.NewNamespaceAsync();
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("POST", $"/namespaces/{ns}/configmaps"), StatusCode = 500, Count = 1 });
        var act = () => fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "once"));
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Reason.Should().Be("InternalError");
        Count("POST", $"/namespaces/{ns}/configmaps").Should().Be(1);
    }

    [Fact]
    public async Task Injected_conflicts_surface_as_typed_conflicts()
    {
        var ns = await fixture.NewNamespaceAsync();
        var cm = await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "c409"));
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("PUT", "/c409"), StatusCode = 409, Count = 1 });
        var act = () => fixture.Client.ReplaceAsync(cm);
        await act.Should().ThrowAsync<KubeConflictException>();
    }

    [Fact]
    public async Task Slow_responses_hit_the_client_timeout_and_cancellation_is_honoured()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "slow"));
        using var impatient = fixture.NewClient(timeout: TimeSpan.FromMilliseconds(300));
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/slow"), Action = FaultAction.Delay, Delay = TimeSpan.FromSeconds(3), Count = 1 });
        var act = () => impatient.GetAsync<V1ConfigMap>("slow", ns);
        await act.Should().ThrowAsync<TimeoutException>();

        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/slow"), Action = FaultAction.Delay, Delay = TimeSpan.FromSeconds(3), Count = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var cancelled = () => fixture.Client.GetAsync<V1ConfigMap>("slow", ns, cts.Token);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_dropped_connection_on_get_is_an_http_error()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "drop"));
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Verb("GET", "/drop"), Action = FaultAction.Drop, Count = 1 });
        var act = () => fixture.Client.GetAsync<V1ConfigMap>("drop", ns);
        await act.Should().ThrowAsync<HttpRequestException>();
    }
}
