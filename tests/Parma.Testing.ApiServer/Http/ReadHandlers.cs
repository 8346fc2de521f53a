using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Selectors;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Http;

/// <summary>GET of one object, LIST with selectors and pagination, and WATCH.</summary>
public sealed class ReadHandlers(ServerState state)
{
    public JsonObject Get(RequestTarget target)
    {
        var obj = state.Store.Get(target.Resource, target.Namespace, target.Name!)
            ?? throw ApiError.NotFound(target.Resource, target.Name!);
        return target.Subresource == "scale" ? ScaleSubresourceView.From(target.Resource, obj) : obj;
    }

    public JsonObject List(RequestTarget target, IQueryCollection query)
    {
        var filter = Filter(query);
        var resource = target.Resource;
        var (matching, revision) = state.Store.List(resource, target.Namespace, filter);

        var start = 0;
        var listRevision = revision;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            var (tokenRevision, lastKey) = ContinueToken.Decode(token);
            if (tokenRevision < state.Store.CompactedRevision)
            {
                throw ApiError.Gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }

            listRevision = tokenRevision;
            start = matching.FindIndex(o => string.CompareOrdinal(Key(o), lastKey) > 0);
            if (start < 0)
            {
                start = matching.Count;
            }
        }

        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var page = matching.Skip(start).Take(limit).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = listRevision.ToString(CultureInfo.InvariantCulture) };
        var remaining = matching.Count - start - page.Count;
        if (remaining > 0)
        {
            metadata["continue"] = ContinueToken.Encode(listRevision, Key(page[^1]));
            metadata["remainingItemCount"] = remaining;
        }

        var items = new JsonArray();
        foreach (var item in page)
        {
            if (!resource.IsCustom)
            {
                // Built-in lists carry the type once, on the list.
                item.Remove("apiVersion");
                item.Remove("kind");
            }

            items.Add(item);
        }

        return new JsonObject
        {
            ["kind"] = resource.Kind + "List",
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = items,
        };
    }

    public async Task WatchAsync(HttpContext context, RequestTarget target)
    {
        var query = context.Request.Query;
        var filter = Filter(query);
        long? from = null;
        if (query["resourceVersion"].ToString() is { Length: > 0 } rvText)
        {
            from = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
                ? rv
                : throw ApiError.BadRequest($"invalid resource version: {rvText}");
        }

        var bookmarks = query["allowWatchBookmarks"] == "true";
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : Timeout.InfiniteTimeSpan;

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var watcher = new Watcher(target.Resource, target.Namespace, filter);
        if (!state.Store.TrySubscribe(watcher, from))
        {
            // kube-apiserver answers 200 and sends one ERROR event carrying a 410 Expired Status.
            var error = ApiError.Gone($"too old resource version: {from} ({state.Store.CompactedRevision})").ToStatus();
            await WriteEventAsync(response, new WatchEvent("ERROR", error), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        state.OpenWatches[context] = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        stop.CancelAfter(timeout);
        try
        {
            await response.StartAsync(stop.Token).ConfigureAwait(false);
            var reader = watcher.Events.Reader;
            while (!stop.IsCancellationRequested)
            {
                var revisionBeforeWait = state.Store.Revision;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(state.Options.BookmarkInterval);
                try
                {
                    await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // Idle for a bookmark interval: every change up to revisionBeforeWait was already sent.
                    if (bookmarks)
                    {
                        await WriteEventAsync(response, new WatchEvent("BOOKMARK", Bookmark(target.Resource, revisionBeforeWait)), stop.Token).ConfigureAwait(false);
                    }

                    continue;
                }

                // Everything queued goes out before one flush.
                while (reader.TryRead(out var change))
                {
                    await response.Body.WriteAsync(change.Utf8Line(), stop.Token).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Client went away, the timeout passed, or a test dropped the connection.
        }
        finally
        {
            state.OpenWatches.TryRemove(context, out _);
            state.Store.Unsubscribe(watcher);
        }
    }

    private static JsonObject Bookmark(ApiResource resource, long revision)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (!resource.IsCustom)
        {
            // Built-in types serialise an unset creationTimestamp as null.
            metadata["creationTimestamp"] = null;
        }

        return new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.ApiVersion, ["metadata"] = metadata };
    }

    private static async Task WriteEventAsync(HttpResponse response, WatchEvent change, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(change.Utf8Line(), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Func<JsonObject, bool> Filter(IQueryCollection query)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(query["labelSelector"]);
            fields = FieldSelector.Parse(query["fieldSelector"]);
        }
        catch (FormatException e)
        {
            throw ApiError.BadRequest(e.Message);
        }

        return o => labels.Matches(ObjectFields.Labels(o)) && fields.Matches(o);
    }

    private static string Key(JsonObject obj) => $"{ObjectFields.Namespace(obj)}/{ObjectFields.Name(obj)}";
}

/// <summary>Opaque continue tokens: base64 of the list's revision and the last key returned.</summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string lastKey) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["rv"] = revision, ["start"] = lastKey }));

    public static (long Revision, string LastKey) Decode(string token)
    {
        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token))!;
            return ((long)node["rv"]!, (string)node["start"]!);
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiError.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
