using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Apply;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer;

/// <summary>
/// `kubectl create -f` for tests: POSTs each document of a YAML stream to its collection over HTTPS, so
/// the usual validation and admission apply. CRDs become served before the next document is sent.
/// </summary>
public sealed class ManifestApplier : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResourceCatalog _catalog;

    internal ManifestApplier(Uri baseUri, X509Certificate2 ca, string token, ResourceCatalog catalog)
    {
        _catalog = catalog;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            return certificate is not null && chain.Build(new X509Certificate2(certificate));
        };
        _http = new HttpClient(handler) { BaseAddress = baseUri };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Creates every object; an object that exists already is replaced when <paramref name="replaceExisting"/>.</summary>
    public async Task<IReadOnlyList<JsonObject>> CreateAllAsync(string yaml, string defaultNamespace, bool replaceExisting, CancellationToken cancellationToken)
    {
        var created = new List<JsonObject>();
        foreach (var document in ApplyConfiguration.ParseAll(yaml))
        {
            if (document["kind"] is null)
            {
                continue;
            }

            if (document["kind"]!.GetValue<string>() == "List")
            {
                foreach (var item in document["items"]?.AsArray().OfType<JsonObject>() ?? [])
                {
                    created.Add(await CreateAsync(item.DeepClone().AsObject(), defaultNamespace, replaceExisting, cancellationToken));
                }

                continue;
            }

            created.Add(await CreateAsync(document, defaultNamespace, replaceExisting, cancellationToken));
        }

        return created;
    }

    private async Task<JsonObject> CreateAsync(JsonObject manifest, string defaultNamespace, bool replaceExisting, CancellationToken cancellationToken)
    {
        var apiVersion = manifest["apiVersion"]?.GetValue<string>() ?? throw new ManifestApplyException("a document has no apiVersion");
        var kind = manifest["kind"]!.GetValue<string>();
        var name = manifest["metadata"]?["name"]?.GetValue<string>() ?? throw new ManifestApplyException($"{kind} without metadata.name");
        var resource = _catalog.FindKind(apiVersion, kind)
            ?? throw new ManifestApplyException($"{apiVersion} {kind} is not served by the test API server");
        var prefix = resource.Group.Length == 0 ? $"/api/{resource.Version}" : $"/apis/{resource.Group}/{resource.Version}";
        string collection;
        if (resource.Namespaced)
        {
            var ns = manifest["metadata"]?["namespace"]?.GetValue<string>() ?? defaultNamespace;
            manifest["metadata"]!["namespace"] = ns;
            collection = $"{prefix}/namespaces/{ns}/{resource.Plural}";
        }
        else
        {
            collection = $"{prefix}/{resource.Plural}";
        }

        var (code, body) = await SendAsync(HttpMethod.Post, collection + "?fieldValidation=Strict", manifest, cancellationToken);
        if (code == 409 && replaceExisting)
        {
            var (_, current) = await SendAsync(HttpMethod.Get, $"{collection}/{name}", null, cancellationToken);
            manifest["metadata"]!["resourceVersion"] = current["metadata"]?["resourceVersion"]?.DeepClone();
            (code, body) = await SendAsync(HttpMethod.Put, $"{collection}/{name}?fieldValidation=Strict", manifest, cancellationToken);
        }

        if (code >= 300)
        {
            throw new ManifestApplyException($"{kind} {name}: {code} {body["message"]?.GetValue<string>() ?? body.ToJsonString()}");
        }

        return body;
    }

    private async Task<(int Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
        return ((int)response.StatusCode, json);
    }

    public void Dispose() => _http.Dispose();
}

public sealed class ManifestApplyException(string message) : Exception(message);
