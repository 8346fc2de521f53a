using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer.Faults;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Tables;

namespace Parma.Testing.ApiServer.Http;

/// <summary>Authenticates, applies injected faults, routes to the handlers and renders errors as Status bodies.</summary>
public sealed class RequestDispatcher(ServerState state, X509Certificate2 authority)
{
    private readonly ReadHandlers _reads = new(state);
    private readonly DiscoveryHandlers _discovery = new(state);
    private readonly WriteHandlers _writes = CreateWriter(state);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        state.RequestLog.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        try
        {
            if (state.Faults.Take(request) is { } fault && await ApplyFaultAsync(context, fault).ConfigureAwait(false))
            {
                return;
            }

            if (!Authenticated(context))
            {
                throw ApiError.Unauthorized();
            }

            if (await _discovery.TryHandleAsync(context).ConfigureAwait(false))
            {
                return;
            }

            var target = RequestTarget.Parse(request.Path.Value ?? "/", state.Catalog)
                ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource", new JsonObject());
            if (target.Subresource is not null && !(target.Subresource == "status" && target.Resource.HasStatus) && !(target.Subresource == "scale" && target.Resource.Scale is not null))
            {
                throw new ApiError(404, "NotFound", "the server could not find the requested resource", new JsonObject());
            }

            await RouteAsync(context, target).ConfigureAwait(false);
        }
        catch (ApiError error)
        {
            if (error.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, error.Code, error.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A fixture bug must show up in the test that hit it, not as an empty 500.
            var error = new ApiError(500, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message} {e.StackTrace}");
            await WriteAsync(context, 500, error.ToStatus()).ConfigureAwait(false);
        }
    }

    private async Task RouteAsync(HttpContext context, RequestTarget target)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        switch (request.Method)
        {
            case "GET" when target.Name is null && Fault.IsWatch(request):
                await _reads.WatchAsync(context, target).ConfigureAwait(false);
                return;
            case "GET" when target.Name is null:
            {
                var list = _reads.List(target, request.Query);
                await WriteAsync(context, 200, AsTableIfAsked(request, target, list["items"]!.AsArray().OfType<JsonObject>(), list["metadata"]!.AsObject()) ?? list)
                    .ConfigureAwait(false);
                return;
            }

            case "GET":
            {
                var obj = _reads.Get(target);
                var table = target.Subresource is null ? AsTableIfAsked(request, target, [obj], obj["metadata"]!.AsObject()) : null;
                await WriteAsync(context, 200, table ?? obj).ConfigureAwait(false);
                return;
            }

            case "POST" when target.Name is null:
                await WriteAsync(context, 201, await _writes.CreateAsync(target, await ReadObjectAsync(request).ConfigureAwait(false), request.Query, cancel).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case "PUT" when target.Name is not null:
            {
                var updated = await _writes.UpdateAsync(target, await ReadObjectAsync(request).ConfigureAwait(false), request.Query, cancel).ConfigureAwait(false);
                await WriteAsync(context, 200, Present(target, updated)).ConfigureAwait(false);
                return;
            }

            case "PATCH" when target.Name is not null:
            {
                var text = await ReadTextAsync(request).ConfigureAwait(false);
                var patched = await _writes.PatchAsync(target, request.ContentType ?? "", text, request.Query, cancel).ConfigureAwait(false);
                await WriteAsync(context, 200, Present(target, patched)).ConfigureAwait(false);
                return;
            }

            case "DELETE" when target.Name is not null && target.Subresource is null:
            {
                var text = await ReadTextAsync(request).ConfigureAwait(false);
                var options = text.Trim().Length == 0 ? null : ParseObject(text);
                var (body, _) = await _writes.DeleteAsync(target, options, request.Query).ConfigureAwait(false);
                if (target.Resource.Plural == "customresourcedefinitions" && state.Store.Get(target.Resource, null, target.Name) is null)
                {
                    UnregisterCrd(body);
                }

                await WriteAsync(context, 200, body).ConfigureAwait(false);
                return;
            }

            default:
                throw ApiError.MethodNotAllowed();
        }
    }

    private void UnregisterCrd(JsonObject deleteAnswer)
    {
        // The answer is a Status; find which group/plural is no longer defined by any stored CRD.
        _ = deleteAnswer;
        var crds = state.Catalog.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        var defined = state.Store.List(crds, null).Items
            .Select(c => (ObjectFields.Text(c["spec"]?["group"]), ObjectFields.Text(c["spec"]?["names"]?["plural"])))
            .ToHashSet();
        foreach (var custom in state.Catalog.All.Where(r => r.IsCustom).ToList())
        {
            if (!defined.Contains((custom.Group, custom.Plural)))
            {
                state.Catalog.RemoveGroupResource(custom.Group, custom.Plural);
            }
        }
    }

    /// <summary>The objects as a meta.k8s.io Table when the Accept header prefers one (kubectl get), else null.</summary>
    private static JsonObject? AsTableIfAsked(HttpRequest request, RequestTarget target, IEnumerable<JsonObject> objects, JsonObject metadata) =>
        MediaTypes.TableVersion(request.Headers.Accept.ToString()) is { } version
            ? TableConverter.Convert(target.Resource, objects, metadata, version, request.Query["includeObject"].ToString() is { Length: > 0 } include ? include : null)
            : null;

    private static JsonObject Present(RequestTarget target, JsonObject obj) =>
        target.Subresource == "scale" ? ScaleSubresourceView.From(target.Resource, obj) : obj;

    private async Task<bool> ApplyFaultAsync(HttpContext context, Fault fault)
    {
        switch (fault.Action)
        {
            case FaultAction.Delay:
                await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                return false;
            case FaultAction.Drop:
                context.Abort();
                return true;
            default:
                var (reason, message) = fault.StatusCode switch
                {
                    409 => ("Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"),
                    429 => ("TooManyRequests", "Too many requests, please try again later."),
                    503 => ("ServiceUnavailable", "The server is currently unable to handle the request"),
                    504 => ("Timeout", "The server was unable to return a response in the time allotted"),
                    _ => ("InternalError", "Internal error occurred: injected fault"),
                };
                JsonObject? details = fault.RetryAfterSeconds is { } seconds ? new JsonObject { ["retryAfterSeconds"] = seconds } : null;
                throw new ApiError(fault.StatusCode, reason, message, details) { RetryAfterSeconds = fault.RetryAfterSeconds };
        }
    }

    private bool Authenticated(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header == $"Bearer {state.Options.Token}")
        {
            return true;
        }

        if (context.Connection.ClientCertificate is { } certificate)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build(certificate);
        }

        return false;
    }

    private static async Task<string> ReadTextAsync(HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/vnd.kubernetes.", StringComparison.Ordinal) == true)
        {
            // kubectl's typed commands (create namespace, …) send protobuf; this server decodes JSON only.
            throw new ApiError(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json (the test API server does not decode {request.ContentType})");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request) => ParseObject(await ReadTextAsync(request).ConfigureAwait(false));

    private static JsonObject ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw ApiError.BadRequest("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString() + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static WriteHandlers CreateWriter(ServerState state)
    {
        var collector = new GarbageCollector(state);
        var writer = new WriteHandlers(state, collector);
        collector.Writer = writer;
        return writer;
    }
}
