using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Parma.Testing;
using Parma.Webhook.Tls;

namespace Parma.Webhook.Tests;

/// <summary>TLS, certificate rotation, and answers to bodies that are not proper AdmissionReviews.</summary>
[Collection(WebhookCollection.Name)]
public sealed class ServingTests(WebhookFixture f)
{
    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await f.Https.PostAsync(f.Url(path), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_json_is_answered_with_400_and_the_parser_s_message()
    {
        var (status, body) = await PostAsync("/mutate/pods", Encoding.UTF8.GetBytes("{\"apiVersion\": "));
        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("the body is not JSON");
    }

    [Fact]
    public async Task A_review_of_another_version_or_without_uid_is_answered_with_400()
    {
        var review = WebhookFixture.AdmissionReview(f.UserPod("x"), "demo");
        review["apiVersion"] = "admission.k8s.io/v1beta1";
        var (status, body) = await PostAsync("/validate/pods", Encoding.UTF8.GetBytes(review.ToJsonString()));
        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("expected apiVersion admission.k8s.io/v1");

        review["apiVersion"] = "admission.k8s.io/v1";
        review["request"]!.AsObject().Remove("uid");
        (status, body) = await PostAsync("/validate/pods", Encoding.UTF8.GetBytes(review.ToJsonString()));
        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("no uid");
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var pod = f.UserPod("big");
        pod["metadata"]!["annotations"] = new JsonObject { ["big"] = new string('x', 4 * 1024 * 1024) };
        var (status, body) = await PostAsync("/mutate/pods", Encoding.UTF8.GetBytes(WebhookFixture.AdmissionReview(pod, "demo").ToJsonString()));
        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        body.Should().Contain("bytes");
    }

    [Fact]
    public async Task A_review_of_the_wrong_kind_is_denied_with_code_400()
    {
        var deployment = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "d" } };
        var response = await f.ReviewAsync("/mutate/pods", deployment, "demo", kind: new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "Deployment" });
        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["code"]!.GetValue<int>().Should().Be(400);
        response["status"]!["message"]!.GetValue<string>().Should().Contain("admits core/v1 Pods, not apps/v1/Deployment");
    }

    [Fact]
    public async Task Health_readiness_and_metrics_are_served_on_the_plain_port()
    {
        await f.ReviewAsync("/mutate/pods", f.OperatorPod(), "demo");
        using var plain = new HttpClient();
        (await plain.GetAsync(new Uri($"http://127.0.0.1:{f.MetricsPort}/healthz"))).StatusCode.Should().Be(HttpStatusCode.OK);
        using var ready = await plain.GetAsync(new Uri($"http://127.0.0.1:{f.MetricsPort}/readyz"));
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("[+]cluster-cache ok\nreadyz check passed\n");
        var metrics = await plain.GetStringAsync(new Uri($"http://127.0.0.1:{f.MetricsPort}/metrics"));
        metrics.Should().Contain("# TYPE parma_webhook_admission_total counter\n")
            .And.Contain("parma_webhook_admission_total{").And.Contain("operation=\"mutate_pods\"")
            .And.Contain("# TYPE parma_webhook_admission_duration_seconds histogram\n")
            .And.Contain("parma_webhook_admission_duration_seconds_bucket{operation=\"mutate_pods\",le=\"30\"}");
        var lint = await Promtool.CheckMetricsAsync(metrics);
        lint.ExitCode.Should().Be(0, lint.StandardOutput + lint.StandardError);
        (await plain.PostAsync(new Uri($"http://127.0.0.1:{f.MetricsPort}/mutate/pods"), new StringContent("{}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Http2_is_offered_over_TLS()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, f.Url("/healthz")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await f.Https.SendAsync(request);
        response.Version.Should().Be(HttpVersion.Version20);
    }

    [Fact]
    public async Task A_rotated_certificate_is_served_without_a_restart()
    {
        var reloader = f.App.Services.GetRequiredService<CertificateReloader>();
        var before = reloader.Current.Thumbprint;
        using var next = f.Server.Authority.IssueServerCertificate("parma-webhook.parma-system.svc");

        f.WriteCertificate(next);
        await WebhookFixture.WaitUntilAsync(() => Task.FromResult(reloader.Current.Thumbprint == next.Thumbprint), "the new certificate is loaded");

        X509Certificate2? presented = null;
        using var client = WebhookFixture.TrustingClient(f.Server.Authority.Certificate, c => presented = c);
        (await client.GetAsync(f.Url("/healthz"))).StatusCode.Should().Be(HttpStatusCode.OK);
        presented!.Thumbprint.Should().Be(next.Thumbprint).And.NotBe(before);
        // The API server's own client (new connections) keeps admitting pods through the new certificate.
        var created = await f.CreatePodAsync(f.UserPod("hello-after-rotation"));
        created["metadata"]!["annotations"].Should().NotBeNull();
    }
}
