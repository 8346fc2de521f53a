using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Parma.Kube.Errors;
using Parma.Kube.Models;

namespace Parma.Kube.Client;

/// <summary>Reads a watch response: one JSON object {"type", "object"} per line.</summary>
internal static class WatchStream
{
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(
        KubernetesClient client, string path, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : KubeObject
    {
        using var response = await client.OpenStreamAsync(path, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // The connection dropped: the stream simply ends; the caller resumes from its last resourceVersion.
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            yield return Parse<T>(client, line, json);
        }
    }

    private static WatchEvent<T> Parse<T>(KubernetesClient client, string line, JsonSerializerOptions json)
        where T : KubeObject
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        var item = root.GetProperty("object");
        if (type == "ERROR")
        {
            var status = client.ParseStatus(item.GetRawText(), HttpStatusCode.InternalServerError);
            throw KubeApiException.From((HttpStatusCode)(status.Code ?? 500), status);
        }

        var eventType = type switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            _ => throw new JsonException($"Unknown watch event type '{type}'."),
        };
        var value = item.Deserialize<T>(json) ?? throw new JsonException("A watch event had a null object.");
        return new WatchEvent<T>(eventType, value);
    }
}
