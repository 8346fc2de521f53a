using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Kube.Tests;

/// <summary>Each test gets its own API server: webhook configurations are cluster-wide.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private readonly ApiServerFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private async Task RegisterAsync(
        string kind, string name, string url, string caBundle, string failurePolicy = "Fail", string? objectSelectorLabel = null, string? namespaceLabel = null)
    {
        var plural = kind == "Mutating" ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations";
        var webhook = new JsonObject
        {
            ["name"] = name,
            ["clientConfig"] = new JsonObject { ["url"] = url, ["caBundle"] = caBundle },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["apiGroups"] = new JsonArray(""),
                ["apiVersions"] = new JsonArray("v1"),
                ["resources"] = new JsonArray("pods"),
                ["scope"] = "Namespaced",
            }),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["timeoutSeconds"] = 2,
        };
        if (objectSelectorLabel is not null)
        {
            webhook["objectSelector"] = new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = objectSelectorLabel, ["operator"] = "Exists" }) };
        }

        if (namespaceLabel is not null)
        {
            webhook["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { [namespaceLabel] = "true" } };
        }

        var config = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = kind + "WebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray(webhook),
        };
        using var raw = new RawApi(_fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/apis/admissionregistration.k8s.io/v1/{plural}", config.ToJsonString());
        code.Should().Be(201, body.ToJsonString());
    }

    [Fact]
    public async Task Mutating_patches_are_applied_and_validating_denials_are_surfaced_like_kube_apiserver()
    {
        await using var webhook = await TestWebhookServer.StartAsync(_fixture.Server.Authority, (path, request) =>
        {
            var pod = request["object"]!.AsObject();
            request["operation"]!.GetValue<string>().Should().Be("CREATE");
            request["resource"]!["resource"]!.GetValue<string>().Should().Be("pods");
            if (path == "/mutate")
            {
                return TestWebhookServer.Reply(request, true, patch: new JsonArray(
                    new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { ["parma.dev/host-data"] = "abc" } }));
            }

            var deny = pod["metadata"]?["labels"]?["deny"] is not null;
            return TestWebhookServer.Reply(request, !deny, deny ? "pod is not allowed by its policy" : null);
        });
        await RegisterAsync("Mutating", "stamp.parma.dev", $"{webhook.BaseUri}mutate", webhook.CaBundle);
        await RegisterAsync("Validating", "preflight.parma.dev", $"{webhook.BaseUri}validate", webhook.CaBundle);
        var ns = await _fixture.NewNamespaceAsync();

        var created = await _fixture.Client.CreateAsync(TestObjects.Pod(ns, "ok"));
        created.Metadata.Annotations.Should().ContainKey("parma.dev/host-data").WhoseValue.Should().Be("abc");

        var denied = TestObjects.Pod(ns, "bad");
        denied.Metadata.Labels = new Dictionary<string, string> { ["deny"] = "yes" };
        var act = () => _fixture.Client.CreateAsync(denied);
        var error = (await act.Should().ThrowAsync<KubeApiException>()).Which;
        ((int)error.StatusCode).Should().Be(400);
        error.Status.Message.Should().Be("admission webhook \"preflight.parma.dev\" denied the request: pod is not allowed by its policy");
        webhook.Calls.Should().Be(4);
    }

    [Fact]
    public async Task Unreachable_webhooks_fail_closed_or_are_ignored_by_failure_policy()
    {
        await RegisterAsync("Validating", "ignored.parma.dev", "https://127.0.0.1:1/validate", "", failurePolicy: "Ignore");
        var ns = await _fixture.NewNamespaceAsync();
        await _fixture.Client.CreateAsync(TestObjects.Pod(ns, "through"));

        await RegisterAsync("Validating", "strict.parma.dev", "https://127.0.0.1:1/validate", "", failurePolicy: "Fail");
        var act = () => _fixture.Client.CreateAsync(TestObjects.Pod(ns, "blocked"));
        var error = (await act.Should().ThrowAsync<KubeApiException>()).Which;
        ((int)error.StatusCode).Should().Be(500);
        error.Status.Message.Should().StartWith("Internal error occurred: failed calling webhook \"strict.parma.dev\": failed to call webhook: Post \"https://127.0.0.1:1/validate\"");
    }

    [Fact]
    public async Task Replies_with_the_wrong_uid_or_an_untrusted_certificate_fail()
    {
        await using var liar = await TestWebhookServer.StartAsync(_fixture.Server.Authority, (_, request) =>
        {
            request["uid"] = "not-the-request-uid";
            return TestWebhookServer.Reply(request, true);
        });
        await RegisterAsync("Validating", "liar.parma.dev", $"{liar.BaseUri}v", liar.CaBundle, objectSelectorLabel: "liar");
        var ns = await _fixture.NewNamespaceAsync();
        var pod = TestObjects.Pod(ns, "p");
        pod.Metadata.Labels = new Dictionary<string, string> { ["liar"] = "1" };
        var act = () => _fixture.Client.CreateAsync(pod);
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Message.Should().Contain("expected response.uid=");

        using var otherCa = new TestCertificateAuthority("someone-else");
        await using var untrusted = await TestWebhookServer.StartAsync(otherCa, (_, request) => TestWebhookServer.Reply(request, true));
        await RegisterAsync("Validating", "untrusted.parma.dev", $"{untrusted.BaseUri}v", liar.CaBundle, objectSelectorLabel: "untrusted");
        var second = TestObjects.Pod(ns, "q");
        second.Metadata.Labels = new Dictionary<string, string> { ["untrusted"] = "1" };
        var tls = () => _fixture.Client.CreateAsync(second);
        (await tls.Should().ThrowAsync<KubeApiException>()).Which.Status.Message.Should().Contain("failed calling webhook \"untrusted.parma.dev\"");
        untrusted.Calls.Should().Be(0, "the TLS handshake fails before any request is sent");
    }

    [Fact]
    public async Task Slow_webhooks_time_out_and_status_updates_do_not_match_a_pods_rule()
    {
        await using var slow = await TestWebhookServer.StartAsync(_fixture.Server.Authority, (_, request) =>
        {
            if (request["object"]?["metadata"]?["labels"]?["slow"] is not null)
            {
                Thread.Sleep(TimeSpan.FromSeconds(3));
            }

            return TestWebhookServer.Reply(request, true);
        });
        await RegisterAsync("Validating", "slow.parma.dev", $"{slow.BaseUri}v", slow.CaBundle);
        var ns = await _fixture.NewNamespaceAsync();

        var created = await _fixture.Client.CreateAsync(TestObjects.Pod(ns, "fast"));
        var calls = slow.Calls;
        created.Status = new V1PodStatus { Phase = "Running" };
        await _fixture.Client.ReplaceStatusAsync(created);
        slow.Calls.Should().Be(calls, "the rule names \"pods\", not \"pods/status\"");

        var pod = TestObjects.Pod(ns, "slow");
        pod.Metadata.Labels = new Dictionary<string, string> { ["slow"] = "1" };
        var act = () => _fixture.Client.CreateAsync(pod);
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Message.Should().EndWith("context deadline exceeded");
    }

    [Fact]
    public async Task Namespace_selectors_limit_webhooks_to_labelled_namespaces()
    {
        await using var denier = await TestWebhookServer.StartAsync(_fixture.Server.Authority, (_, request) => TestWebhookServer.Reply(request, false, code: 403));
        await RegisterAsync("Validating", "ns.parma.dev", $"{denier.BaseUri}v", denier.CaBundle, namespaceLabel: "parma.dev/enabled");
        var plain = await _fixture.NewNamespaceAsync();
        await _fixture.Client.CreateAsync(TestObjects.Pod(plain, "free"));

        var opted = await _fixture.Client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "opted-in", Labels = new Dictionary<string, string> { ["parma.dev/enabled"] = "true" } } });
        var act = () => _fixture.Client.CreateAsync(TestObjects.Pod(opted.Metadata.Name!, "held"));
        var error = (await act.Should().ThrowAsync<KubeApiException>()).Which;
        ((int)error.StatusCode).Should().Be(403);
        error.Status.Message.Should().Be("admission webhook \"ns.parma.dev\" denied the request without explanation");
    }
}
