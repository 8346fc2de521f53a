using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Http;
using Parma.Testing.ApiServer.Patching;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Admission;

/// <summary>
/// Calls the registered mutating webhooks (in configuration-name order, applying their JSONPatch
/// responses), then the validating webhooks, as kube-apiserver's admission chain does.
/// </summary>
public sealed class AdmissionChain : IDisposable
{
    private readonly WebhookCaller _caller = new();

    public async Task<JsonObject> AdmitAsync(
        ServerState state, AdmissionOperation operation, ApiResource resource, JsonObject? obj, JsonObject? old, CancellationToken cancellationToken, string? subresource = null)
    {
        // Webhook configurations themselves are never sent to webhooks.
        if (resource.Group == "admissionregistration.k8s.io")
        {
            return obj!;
        }

        foreach (var (_, webhook) in Webhooks(state, "mutatingwebhookconfigurations"))
        {
            if (!WebhookRules.Matches(webhook, operation, resource, subresource) || !WebhookRules.SelectorsMatch(webhook, state, resource, obj, old))
            {
                continue;
            }

            var response = await CallAsync(webhook, operation, resource, subresource, obj, old, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            var patch = response["patch"];
            var patchType = ObjectFields.Text(response["patchType"]);
            if (patch is not null && patchType is null)
            {
                throw Internal(webhook, "webhook returned response.patch but not response.patchType");
            }

            if (patch is null && patchType is not null)
            {
                throw Internal(webhook, "webhook returned response.patchType but not response.patch");
            }

            if (patch is not null && obj is not null)
            {
                if (patchType != "JSONPatch")
                {
                    throw Internal(webhook, $"unsupported patch type \"{patchType}\"");
                }

                try
                {
                    var operations = JsonNode.Parse(Convert.FromBase64String(ObjectFields.Text(patch) ?? "")) as JsonArray
                        ?? throw new JsonPatchException("the patch is not a JSON array");
                    obj = JsonPatch.Apply(obj, operations) as JsonObject ?? throw new JsonPatchException("the patch removed the object");
                }
                catch (Exception e) when (e is JsonPatchException or FormatException or System.Text.Json.JsonException)
                {
                    throw Internal(webhook, $"JSON patch could not be applied: {e.Message}");
                }
            }
        }

        foreach (var (_, webhook) in Webhooks(state, "validatingwebhookconfigurations"))
        {
            if (!WebhookRules.Matches(webhook, operation, resource, subresource) || !WebhookRules.SelectorsMatch(webhook, state, resource, obj, old))
            {
                continue;
            }

            var response = await CallAsync(webhook, operation, resource, subresource, obj, old, cancellationToken).ConfigureAwait(false);
            if (response is not null && (response["patch"] is not null || response["patchType"] is not null))
            {
                throw Internal(webhook, "validating webhook may not return response.patch or response.patchType");
            }
        }

        return obj!;
    }

    public void Dispose() => _caller.Dispose();

    private static IEnumerable<(string Config, JsonObject Webhook)> Webhooks(ServerState state, string plural)
    {
        var resource = state.Catalog.Find("admissionregistration.k8s.io", "v1", plural)!;
        var (configs, _) = state.Store.List(resource, null);
        foreach (var config in configs.OrderBy(c => ObjectFields.Name(c), StringComparer.Ordinal))
        {
            if (config["webhooks"] is JsonArray webhooks)
            {
                foreach (var webhook in webhooks.OfType<JsonObject>())
                {
                    yield return (ObjectFields.Name(config)!, webhook);
                }
            }
        }
    }

    /// <summary>Calls one webhook; null when it failed and its failurePolicy is Ignore. Throws when it denied.</summary>
    private async Task<JsonObject?> CallAsync(
        JsonObject webhook, AdmissionOperation operation, ApiResource resource, string? subresource, JsonObject? obj, JsonObject? old, CancellationToken cancellationToken)
    {
        var name = ObjectFields.Text(webhook["name"]) ?? "";
        var ignore = ObjectFields.Text(webhook["failurePolicy"]) == "Ignore";
        var uid = Guid.NewGuid().ToString();
        var review = Review(uid, operation, resource, subresource, obj, old);
        var timeout = TimeSpan.FromSeconds(webhook["timeoutSeconds"] is JsonValue t && t.TryGetValue<int>(out var s) ? s : 10);
        JsonObject response;
        try
        {
            var url = ObjectFields.Text(webhook["clientConfig"]?["url"])
                ?? throw new WebhookCallException("failed to call webhook: clientConfig.service is not reachable from the test API server; use clientConfig.url");
            var reply = await _caller.CallAsync(url, ObjectFields.Text(webhook["clientConfig"]?["caBundle"]), review, timeout, cancellationToken).ConfigureAwait(false);
            response = VerifyReply(reply, uid);
        }
        catch (WebhookCallException e)
        {
            if (ignore)
            {
                return null;
            }

            throw new ApiError(500, "InternalError", $"Internal error occurred: failed calling webhook \"{name}\": {e.Message}");
        }

        if (response["allowed"] is JsonValue allowed && allowed.TryGetValue<bool>(out var ok) && ok)
        {
            return response;
        }

        throw Denied(name, response["status"] as JsonObject);
    }

    private static JsonObject VerifyReply(JsonObject reply, string uid)
    {
        if (ObjectFields.Text(reply["apiVersion"]) != "admission.k8s.io/v1" || ObjectFields.Text(reply["kind"]) != "AdmissionReview")
        {
            throw new WebhookCallException(
                $"received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {ObjectFields.Text(reply["apiVersion"])}, Kind={ObjectFields.Text(reply["kind"])}");
        }

        var response = reply["response"] as JsonObject ?? throw new WebhookCallException("received invalid webhook response: webhook response was absent");
        var got = ObjectFields.Text(response["uid"]);
        if (got != uid)
        {
            throw new WebhookCallException($"received invalid webhook response: expected response.uid=\"{uid}\", got \"{got}\"");
        }

        return response;
    }

    /// <summary>kube-apiserver's rendering of a denial: code at least 400, message prefixed with the webhook name.</summary>
    private static ApiError Denied(string webhook, JsonObject? status)
    {
        var deniedBy = $"admission webhook \"{webhook}\" denied the request";
        var code = status?["code"] is JsonValue c && c.TryGetValue<int>(out var value) && value >= 400 ? value : 400;
        var reason = ObjectFields.Text(status?["reason"]) ?? "";
        var message = ObjectFields.Text(status?["message"]);
        var text = !string.IsNullOrEmpty(message) ? $"{deniedBy}: {message}"
            : reason.Length > 0 ? $"{deniedBy}: {reason}"
            : $"{deniedBy} without explanation";
        return new ApiError(code, reason, text, status?["details"] as JsonObject);
    }

    private static ApiError Internal(JsonObject webhook, string message) =>
        new(500, "InternalError", $"Internal error occurred: failed calling webhook \"{ObjectFields.Text(webhook["name"])}\": {message}");

    private static JsonObject Review(string uid, AdmissionOperation operation, ApiResource resource, string? subresource, JsonObject? obj, JsonObject? old)
    {
        var subject = obj ?? old!;
        var kind = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind };
        var gvr = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["resource"] = resource.Plural };
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = kind,
            ["resource"] = gvr,
            ["requestKind"] = kind.DeepClone(),
            ["requestResource"] = gvr.DeepClone(),
            ["name"] = ObjectFields.Name(subject),
            ["operation"] = operation.ToString().ToUpperInvariant(),
            ["userInfo"] = new JsonObject { ["username"] = "system:admin", ["groups"] = new JsonArray("system:masters", "system:authenticated") },
            ["object"] = obj?.DeepClone(),
            ["oldObject"] = old?.DeepClone(),
            ["dryRun"] = false,
            ["options"] = new JsonObject
            {
                ["kind"] = operation switch
                {
                    AdmissionOperation.Create => "CreateOptions",
                    AdmissionOperation.Update => "UpdateOptions",
                    _ => "DeleteOptions",
                },
                ["apiVersion"] = "meta.k8s.io/v1",
            },
        };
        if (subresource is not null)
        {
            request["subResource"] = subresource;
        }

        if (resource.Namespaced)
        {
            request["namespace"] = ObjectFields.Namespace(subject);
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }
}
