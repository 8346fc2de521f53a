using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Parma.Oci.Digests;
using Parma.Oci.Model;
using Parma.Oci.References;
using Parma.Oci.Sources;

namespace Parma.Oci.Registry;

/// <summary>
/// A client of the OCI distribution API (pull side): manifests and blobs, anonymous, Basic and Bearer-token
/// auth (the <c>WWW-Authenticate</c> challenge flow), retries with exponential backoff on 429/5xx and
/// connection failures, and digest verification of everything it returns.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private const int MaxManifestBytes = 4 << 20;
    private readonly RegistryClientOptions options;
    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> authorizations = new(StringComparer.Ordinal);

    public RegistryClient(RegistryClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        this.options = options ?? new RegistryClientOptions();
        http = handler is null
            ? new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            : new HttpClient(handler, disposeHandler: false);
        ownsHttp = true;
        http.Timeout = this.options.Timeout;
        http.DefaultRequestHeaders.UserAgent.ParseAdd(this.options.UserAgent);
    }

    /// <summary>Fetches a manifest or index by tag or digest and verifies its digest.</summary>
    public async Task<FetchedManifest> GetManifestAsync(ImageReference reference, string manifestReference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var uri = Uri(reference, $"manifests/{manifestReference}");
        using var response = await SendAsync(reference, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var mediaType in MediaTypes.AcceptedManifests)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            }

            return request;
        }, cancellationToken).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RegistryException(
                $"Image {reference.Name}:{manifestReference} was not found: registry {reference.Registry} has no manifest '{manifestReference}' in repository '{reference.Repository}'.",
                response.StatusCode);
        }

        await EnsureSuccessAsync(response, $"manifest {manifestReference} of {reference.Name}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > MaxManifestBytes)
        {
            throw new RegistryException($"The manifest of {reference} is larger than {MaxManifestBytes} bytes; refusing it.");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        Digest digest;
        if (Digest.TryParse(manifestReference, out var requested, out _))
        {
            requested.Verify(body, $"manifest {manifestReference} of {reference.Name}");
            digest = requested;
        }
        else
        {
            digest = Digest.Sha256Of(body);
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
                && Digest.TryParse(values.FirstOrDefault(), out var announced, out _))
            {
                announced.Verify(body, $"manifest {reference.Name}:{manifestReference} (Docker-Content-Digest)");
                digest = announced;
            }
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        var mediaType = ManifestMediaType.Of(body, contentType);
        if (mediaType == MediaTypes.DockerManifestV1Signed || mediaType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"{reference} uses the obsolete Docker schema 1 manifest format, which is not supported.");
        }

        return new FetchedManifest(body, mediaType, digest);
    }

    /// <summary>Opens a blob; the stream throws at its end if the content does not match the descriptor.</summary>
    public async Task<Stream> OpenBlobAsync(ImageReference reference, Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(descriptor);
        var digest = descriptor.ParsedDigest();
        var uri = Uri(reference, $"blobs/{digest}");
        var response = await SendAsync(reference, () => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new RegistryException($"Blob {digest} of {reference.Name} was not found on {reference.Registry}.", response.StatusCode);
            }

            await EnsureSuccessAsync(response, $"blob {digest} of {reference.Name}", cancellationToken).ConfigureAwait(false);
            var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new DigestVerifyingStream(new ResponseStream(content, response), digest, descriptor.Size, $"blob {digest} of {reference.Name}");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private Uri Uri(ImageReference reference, string path)
    {
        var scheme = options.IsInsecure(reference.Registry) ? "http" : "https";
        return new Uri($"{scheme}://{reference.ApiHost}/v2/{reference.Repository}/{path}");
    }

    private async Task<HttpResponseMessage> SendAsync(ImageReference reference, Func<HttpRequestMessage> makeRequest, CancellationToken cancellationToken)
    {
        var authKey = $"{reference.Registry}/{reference.Repository}";
        var authenticated = false;
        for (var attempt = 1; ; attempt++)
        {
            using var request = makeRequest();
            if (authorizations.TryGetValue(authKey, out var authorization))
            {
                request.Headers.Authorization = authorization;
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (attempt < options.MaxAttempts)
            {
                _ = e;
                await Task.Delay(Backoff(attempt, null), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new RegistryException($"Could not reach registry {reference.Registry} ({request.RequestUri}): {e.Message}", null, e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RegistryException($"Registry {reference.Registry} did not answer {request.RequestUri} within {options.Timeout}.", null, e);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                var challenge = AuthChallenge.From(response.Headers);
                response.Dispose();
                if (authenticated || challenge is null)
                {
                    throw new RegistryException(
                        authenticated
                            ? $"Registry {reference.Registry} refused the credentials for {reference.Repository} (401 after authenticating)."
                            : $"Registry {reference.Registry} answered 401 without a usable WWW-Authenticate challenge.",
                        HttpStatusCode.Unauthorized);
                }

                authorizations[authKey] = await AuthorizeAsync(reference, challenge, cancellationToken).ConfigureAwait(false);
                authenticated = true;
                attempt--;
                continue;
            }

            if ((response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500) && attempt < options.MaxAttempts)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta;
                response.Dispose();
                await Task.Delay(Backoff(attempt, retryAfter), cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.InitialBackoff * Math.Pow(2, attempt - 1);
        var wait = retryAfter is { } hinted && hinted > exponential ? hinted : exponential;
        return wait > options.MaxBackoff ? options.MaxBackoff : wait;
    }

    private async Task<AuthenticationHeaderValue> AuthorizeAsync(ImageReference reference, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        var credential = options.Credentials.Find(reference.Registry);
        if (challenge.Scheme == "Basic")
        {
            if (credential?.Username is null)
            {
                throw new RegistryException(
                    $"Registry {reference.Registry} requires a user name and password and none is configured (docker config.json or an image pull secret).",
                    HttpStatusCode.Unauthorized);
            }

            return BasicHeader(credential);
        }

        if (string.IsNullOrEmpty(challenge.Realm) || !System.Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm))
        {
            throw new RegistryException($"Registry {reference.Registry} sent a Bearer challenge without a valid realm.", HttpStatusCode.Unauthorized);
        }

        var query = new StringBuilder();
        if (!string.IsNullOrEmpty(challenge.Service))
        {
            query.Append("service=").Append(System.Uri.EscapeDataString(challenge.Service));
        }

        var scope = challenge.Scope ?? $"repository:{reference.Repository}:pull";
        query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(System.Uri.EscapeDataString(scope));
        var tokenUri = new UriBuilder(realm) { Query = string.IsNullOrEmpty(realm.Query) ? query.ToString() : realm.Query.TrimStart('?') + "&" + query };
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri.Uri);
        if (credential?.Username is not null)
        {
            request.Headers.Authorization = BasicHeader(credential);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException(
                $"The token service {realm.GetLeftPart(UriPartial.Path)} for {reference.Registry} refused a token for '{scope}' ({(int)response.StatusCode} {response.ReasonPhrase}).",
                response.StatusCode);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in new[] { "token", "access_token" })
            {
                if (document.RootElement.TryGetProperty(name, out var token) && token.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(token.GetString()))
                {
                    return new AuthenticationHeaderValue("Bearer", token.GetString());
                }
            }
        }
        catch (JsonException e)
        {
            throw new RegistryException($"The token service for {reference.Registry} answered with invalid JSON: {e.Message}", null, e);
        }

        throw new RegistryException($"The token service for {reference.Registry} answered without a token.");
    }

    private static AuthenticationHeaderValue BasicHeader(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > 500)
        {
            body = body[..500];
        }

        throw new RegistryException($"Fetching {what} failed: {(int)response.StatusCode} {response.ReasonPhrase}. {body}".Trim(), response.StatusCode);
    }

    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    /// <summary>Keeps the HTTP response alive while its body is read, and disposes both together.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage response) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
