using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Parma.Testing.ApiServer.Admission;

/// <summary>POSTs AdmissionReviews to webhook URLs over HTTPS, trusting exactly the webhook's caBundle.</summary>
public sealed class WebhookCaller : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();

    public async Task<JsonObject> CallAsync(string url, string? caBundle, JsonObject review, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = _clients.GetOrAdd(caBundle ?? "", Create);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await client.PostAsync(new Uri(url), content, cts.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookCallException($"failed to call webhook: the server responded with the status code {(int)response.StatusCode}");
            }

            return JsonNode.Parse(text) as JsonObject ?? throw new WebhookCallException("received invalid webhook response: not an object");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{url}\": context deadline exceeded");
        }
        catch (HttpRequestException e)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{url}\": {e.InnerException?.Message ?? e.Message}");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new WebhookCallException($"received invalid webhook response: {e.Message}");
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private static HttpClient Create(string caBundle)
    {
        var roots = new X509Certificate2Collection();
        if (caBundle.Length > 0)
        {
            roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(caBundle)));
        }

        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (roots.Count == 0)
                    {
                        return errors == SslPolicyErrors.None;
                    }

                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}

public sealed class WebhookCallException(string message) : Exception(message);
