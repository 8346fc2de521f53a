using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Webhook.Admission;
using Parma.Webhook.Groups;
using Parma.Webhook.Observability;

namespace Parma.Webhook.Tests;

/// <summary>Failures inside the webhook answer with a denial that says why, never with an allowed, unstamped pod.</summary>
public sealed class FailClosedTests
{
    private sealed class Handler(Func<CancellationToken, Task<AdmissionResult>> decide) : IAdmissionHandler
    {
        public string Operation => "test";

        public bool NeedsClusterCache => true;

        public Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken) => decide(cancellationToken);
    }

    private sealed class Cluster(bool synced) : IClusterView
    {
        public bool IsSynced => synced;

        public Task<ConfidentialPodGroup?> GetGroupAsync(string ns, string name, bool live, CancellationToken cancellationToken) => Task.FromResult<ConfidentialPodGroup?>(null);

        public IReadOnlyList<string> NamespacesWithGroup(string name) => [];

        public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, bool live, CancellationToken cancellationToken) => Task.FromResult<V1ConfigMap?>(null);

        public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) => Task.FromResult<V1Secret?>(null);

        public Task<V1Namespace?> GetNamespaceAsync(string name, CancellationToken cancellationToken) => Task.FromResult<V1Namespace?>(null);

        public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) => Task.FromResult<V1ServiceAccount?>(null);
    }

    private static async Task<JsonObject> AnswerAsync(IAdmissionHandler handler, bool synced = true, double timeoutSeconds = 8)
    {
        using var metrics = new WebhookMetrics();
        var endpoint = new AdmissionEndpoint(handler, new Cluster(synced), metrics,
            new WebhookOptions { RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds) }, NullLogger<AdmissionEndpoint>.Instance);
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.IsHttps = true;
        var review = WebhookFixture.AdmissionReview(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" } }, "demo");
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(review.ToJsonString()));
        var output = new MemoryStream();
        context.Response.Body = output;

        await endpoint.HandleAsync(context);

        context.Response.StatusCode.Should().Be(200);
        var answer = JsonNode.Parse(output.ToArray())!["response"]!.AsObject();
        answer["uid"]!.GetValue<string>().Should().Be(review["request"]!["uid"]!.GetValue<string>());
        answer.ContainsKey("patch").Should().BeFalse();
        return answer;
    }

    [Fact]
    public async Task An_exception_becomes_a_denial_naming_it()
    {
        var answer = await AnswerAsync(new Handler(_ => throw new InvalidOperationException("the policy cache is corrupt")));

        answer["allowed"]!.GetValue<bool>().Should().BeFalse();
        answer["status"]!["code"]!.GetValue<int>().Should().Be(500);
        answer["status"]!["message"]!.GetValue<string>().Should().Contain("InvalidOperationException: the policy cache is corrupt").And.Contain("refused rather than admitted unchecked");
    }

    [Fact]
    public async Task Running_out_of_time_becomes_a_denial_well_before_the_api_server_gives_up()
    {
        var answer = await AnswerAsync(new Handler(async token =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), token);
            return AdmissionResult.Allow();
        }), timeoutSeconds: 0.3);

        answer["allowed"]!.GetValue<bool>().Should().BeFalse();
        answer["status"]!["code"]!.GetValue<int>().Should().Be(504);
        answer["status"]!["message"]!.GetValue<string>().Should().Contain("could not decide within 0.3 s");
    }

    [Fact]
    public async Task Nothing_is_admitted_before_the_group_caches_have_synced()
    {
        var answer = await AnswerAsync(new Handler(_ => Task.FromResult(AdmissionResult.Allow())), synced: false);

        answer["allowed"]!.GetValue<bool>().Should().BeFalse();
        answer["status"]!["message"]!.GetValue<string>().Should().Contain("has not loaded the ConfidentialPodGroups yet");
    }
}
