using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Testing;
using Parma.Kube.Schema;

namespace Parma.Webhook.Tests;

/// <summary>The webhook's answers (and the reviews these tests send) match the AdmissionReview v1 schema in ../shared/k8s-openapi.</summary>
[Collection(WebhookCollection.Name)]
public sealed class ReviewSchemaTests(WebhookFixture f)
{
    private static readonly Lazy<ObjectSchema> Schema = new(() =>
    {
        var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.InShared("k8s-openapi", "admission.k8s.io__v1_AdmissionReview.schema.json"))).RootElement;
        var review = document.GetProperty("components").GetProperty("schemas").GetProperty("io.k8s.api.admission.v1.AdmissionReview");
        return new ObjectSchema(review, document, isCustomResource: false);
    });

    private async Task<JsonObject> PostAsync(string path, JsonObject review)
    {
        using var response = await f.Https.PostAsJsonAsync(f.Url(path), review);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Patches_allows_and_denials_are_valid_AdmissionReviews()
    {
        var stamp = WebhookFixture.AdmissionReview(f.UserPod("schema-stamp"), WebhookFixture.GroupNamespace);
        var allow = WebhookFixture.AdmissionReview(f.OperatorPod(), WebhookFixture.GroupNamespace);
        var tampered = f.OperatorPod();
        tampered["metadata"]!["annotations"]![Policy.Output.PolicyAnnotations.HostDataKey] = new string('1', 64);
        var deny = WebhookFixture.AdmissionReview(tampered, WebhookFixture.GroupNamespace);

        foreach (var (path, review) in new[] { ("/mutate/pods", stamp), ("/mutate/pods", allow), ("/validate/pods", deny) })
        {
            Schema.Value.Validate(review).Should().BeEmpty("the test's request must be a valid review");
            var answer = await PostAsync(path, review);
            Schema.Value.Validate(answer).Select(e => e.ToString()).Should().BeEmpty(answer.ToJsonString());
        }

        (await PostAsync("/mutate/pods", stamp))["response"]!["patchType"]!.GetValue<string>().Should().Be("JSONPatch");
        (await PostAsync("/validate/pods", deny))["response"]!["allowed"]!.GetValue<bool>().Should().BeFalse();
    }
}
