using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Webhook.Admission;

/// <summary>
/// Reads an AdmissionReview body. Bodies that are not an admission.k8s.io/v1 AdmissionReview with a
/// request and a uid cannot be answered with a review (there is no uid to echo), so they are refused
/// with HTTP 400 and a plain message; <see cref="AdmissionReviewException"/> carries it.
/// </summary>
public static class AdmissionReviewParser
{
    public const string ApiVersion = "admission.k8s.io/v1";
    public const string ReviewKind = "AdmissionReview";

    public static AdmissionRequest Parse(ReadOnlySpan<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            throw new AdmissionReviewException($"the body is not JSON: {e.Message}");
        }

        if (root is not JsonObject review)
        {
            throw new AdmissionReviewException("the body is not a JSON object; expected an AdmissionReview");
        }

        var apiVersion = Text(review, "apiVersion");
        var kind = Text(review, "kind");
        if (apiVersion != ApiVersion || kind != ReviewKind)
        {
            throw new AdmissionReviewException(
                $"expected apiVersion {ApiVersion} and kind {ReviewKind}, got apiVersion '{apiVersion}' and kind '{kind}' (configure admissionReviewVersions: [v1])");
        }

        if (review["request"] is not JsonObject request)
        {
            throw new AdmissionReviewException("the AdmissionReview has no request object");
        }

        var uid = Text(request, "uid");
        if (string.IsNullOrEmpty(uid))
        {
            throw new AdmissionReviewException("the AdmissionReview request has no uid");
        }

        var gvk = request["kind"] as JsonObject;
        return new AdmissionRequest(
            uid,
            Text(gvk, "group") ?? "",
            Text(gvk, "version") ?? "",
            Text(gvk, "kind") ?? "",
            Text(request, "operation") ?? "",
            Text(request, "namespace") ?? "",
            Text(request, "name"),
            request["object"] as JsonObject,
            request["oldObject"] as JsonObject,
            request["dryRun"] is JsonValue dry && dry.GetValueKind() == JsonValueKind.True);
    }

    private static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

/// <summary>A body that is not an answerable AdmissionReview (answered with HTTP 400).</summary>
public sealed class AdmissionReviewException(string message) : Exception(message);
