using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Parma.Kube.Config;
using Parma.Kube.Errors;
using Parma.Kube.Models;
using Parma.Kube.Resources;
using Parma.Kube.Serialization;

namespace Parma.Kube.Client;

/// <summary>The HTTP implementation of <see cref="IKubernetesClient"/>.</summary>
public sealed class KubernetesClient : IKubernetesClient
{
    private readonly HttpClient _http;
    private readonly KubeClientConfig _config;
    private readonly JsonSerializerOptions _json;

    public KubernetesClient(KubeClientConfig config, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _json = json ?? KubeJson.Options;
        _http = KubeHttp.CreateHttpClient(config);
    }

    public string DefaultNamespace => _config.Namespace;

    public async Task<T> GetAsync<T>(string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        var path = ResourceRegistry.For<T>().ObjectPath(ns, name);
        return await SendForObjectAsync<T>(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T?> GetOrDefaultAsync<T>(string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        try
        {
            return await GetAsync<T>(name, ns, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeNotFoundException)
        {
            return null;
        }
    }

    public async Task<KubeList<T>> ListAsync<T>(string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        var query = new QueryBuilder()
            .Add("labelSelector", options?.LabelSelector)
            .Add("fieldSelector", options?.FieldSelector)
            .Add("limit", options?.Limit)
            .Add("continue", options?.Continue)
            .Add("resourceVersion", options?.ResourceVersion)
            .Add("timeoutSeconds", options?.TimeoutSeconds);
        var path = ResourceRegistry.For<T>().CollectionPath(ns) + query;
        return await SendForObjectAsync<KubeList<T>>(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<T> ListAllAsync<T>(
        string? ns = null, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        var page = options ?? new ListOptions();
        while (true)
        {
            var list = await ListAsync<T>(ns, page, cancellationToken).ConfigureAwait(false);
            foreach (var item in list.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(list.Metadata.Continue))
            {
                yield break;
            }

            page = page with { Continue = list.Metadata.Continue };
        }
    }

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns = null, WatchOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        options ??= new WatchOptions();
        var query = new QueryBuilder()
            .Add("watch", "true")
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowWatchBookmarks ? "true" : null)
            .Add("timeoutSeconds", options.TimeoutSeconds);
        var path = ResourceRegistry.For<T>().CollectionPath(ns) + query;
        return WatchStream.ReadAsync<T>(this, path, _json, cancellationToken);
    }

    public Task<T> CreateAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = PrepareForWrite(value);
        var path = info.CollectionPath(info.Namespaced ? NamespaceOf(value) : null) + WriteQuery(options);
        return SendForObjectAsync<T>(HttpMethod.Post, path, JsonContent(value), idempotent: false, cancellationToken);
    }

    public Task<T> ReplaceAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = PrepareForWrite(value);
        var path = info.ObjectPath(NamespaceOf(value), NameOf(value)) + WriteQuery(options);
        return SendForObjectAsync<T>(HttpMethod.Put, path, JsonContent(value), idempotent: true, cancellationToken);
    }

    public Task<T> ReplaceStatusAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = PrepareForWrite(value);
        var path = info.ObjectPath(NamespaceOf(value), NameOf(value)) + "/status" + WriteQuery(options);
        return SendForObjectAsync<T>(HttpMethod.Put, path, JsonContent(value), idempotent: true, cancellationToken);
    }

    public Task<T> PatchAsync<T>(string name, string? ns, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject => SendPatchAsync<T>(name, ns, "", patch, options, cancellationToken);

    public Task<T> PatchStatusAsync<T>(string name, string? ns, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject => SendPatchAsync<T>(name, ns, "/status", patch, options, cancellationToken);

    public Task<T> ApplyAsync<T>(T value, string fieldManager, bool force = false, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        PrepareForWrite(value);
        var patch = new KubePatch(PatchKind.Apply, JsonSerializer.Serialize(value, _json));
        return SendPatchAsync<T>(
            NameOf(value), NamespaceOf(value), "", patch, new WriteOptions { FieldManager = fieldManager, Force = force }, cancellationToken);
    }

    public async Task<T?> DeleteAsync<T>(string name, string? ns = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject
    {
        var info = ResourceRegistry.For<T>();
        var path = info.ObjectPath(ns, name);
        HttpContent? body = options is null ? null : JsonContent(options);
        using var response = await SendAsync(HttpMethod.Delete, path, body, idempotent: true, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        if (document.RootElement.TryGetProperty("kind", out var kind) && kind.GetString() == "Status")
        {
            return null;
        }

        return JsonSerializer.Deserialize<T>(text, _json);
    }

    public void Dispose() => _http.Dispose();

    internal async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorFromAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    private async Task<T> SendPatchAsync<T>(
        string name, string? ns, string subresource, KubePatch patch, WriteOptions? options, CancellationToken cancellationToken)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.Kind == PatchKind.Apply && string.IsNullOrEmpty(options?.FieldManager))
        {
            throw new ArgumentException("Server-side apply needs a field manager (WriteOptions.FieldManager).", nameof(options));
        }

        var path = ResourceRegistry.For<T>().ObjectPath(ns, name) + subresource + WriteQuery(options);
        var content = new StringContent(patch.Body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(patch.ContentType);
        // Applying the same configuration twice has the same effect; other patches may not.
        return await SendForObjectAsync<T>(HttpMethod.Patch, path, content, idempotent: patch.Kind == PatchKind.Apply, cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<T> SendForObjectAsync<T>(HttpMethod method, string path, HttpContent? body, bool idempotent, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body, idempotent, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync<T>(stream, _json, cancellationToken).ConfigureAwait(false)
            ?? throw new KubeApiException(response.StatusCode, new Status { Message = $"The server answered {method} {path} with an empty body." });
    }

    /// <summary>Sends with retries (429 and 5xx, idempotent calls only) inside the configured time limit.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? body, bool idempotent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_config.Timeout);
        var bodyBytes = body is null ? null : await body.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (bodyBytes is not null)
            {
                request.Content = new ByteArrayContent(bodyBytes);
                request.Content.Headers.ContentType = body!.Headers.ContentType ?? new MediaTypeHeaderValue("application/json");
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{method} {path} did not complete within {_config.Timeout}.");
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var retryable = idempotent && ((int)response.StatusCode == 429 || (int)response.StatusCode >= 500);
            if (!retryable || attempt >= _config.Retry.MaxRetries)
            {
                using (response)
                {
                    throw await ErrorFromAsync(response, cancellationToken).ConfigureAwait(false);
                }
            }

            var delay = _config.Retry.DelayFor(attempt, RetryAfter(response));
            response.Dispose();
            try
            {
                await Task.Delay(delay, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{method} {path} did not complete within {_config.Timeout} (still retrying).");
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    internal async Task<KubeApiException> ErrorFromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return KubeApiException.From(response.StatusCode, ParseStatus(text, response.StatusCode));
    }

    internal Status ParseStatus(string text, HttpStatusCode code)
    {
        try
        {
            var status = JsonSerializer.Deserialize<Status>(text, _json);
            if (status?.Kind == "Status")
            {
                return status;
            }
        }
        catch (JsonException)
        {
            // Not a Status body (a proxy's HTML page, plain text): describe it below.
        }

        return new Status
        {
            Kind = "Status",
            ApiVersion = "v1",
            StatusValue = "Failure",
            Code = (int)code,
            Reason = code.ToString(),
            Message = text.Length > 512 ? text[..512] : text,
        };
    }

    private StringContent JsonContent<TValue>(TValue value)
    {
        var content = new StringContent(JsonSerializer.Serialize(value, _json), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ResourceInfo PrepareForWrite<T>(T value)
        where T : KubeObject
    {
        var info = ResourceRegistry.For<T>();
        value.ApiVersion ??= info.ApiVersion;
        value.Kind ??= info.Kind;
        return info;
    }

    private string? NamespaceOf(KubeObject value) =>
        ResourceRegistry.For(value.GetType()).Namespaced ? value.Metadata.Namespace ?? _config.Namespace : null;

    private static string NameOf(KubeObject value) =>
        value.Metadata.Name is { Length: > 0 } name
            ? name
            : throw new ArgumentException($"{value.GetType().Name} has no metadata.name.", nameof(value));

    private static string WriteQuery(WriteOptions? options) =>
        options is null
            ? ""
            : new QueryBuilder()
                .Add("fieldManager", options.FieldManager)
                .Add("fieldValidation", options.FieldValidation)
                .Add("dryRun", options.DryRun ? "All" : null)
                .Add("force", options.Force ? "true" : null)
                .ToString();
}
