using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Parma.Testing.Registry;

/// <summary>
/// A loopback front for a <see cref="LocalRegistry"/> that enforces the distribution token flow: requests
/// without a valid Bearer token get 401 with a <c>WWW-Authenticate: Bearer realm=…,service=…,scope=…</c>
/// challenge; <c>/token</c> issues tokens (checking Basic credentials when configured); authorised
/// requests are forwarded to the real registry.
/// </summary>
public sealed class TokenAuthProxy : IAsyncDisposable
{
    public const string Service = "parma-test-registry";
    private readonly HttpListener listener = new();
    private readonly HttpClient upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly Uri upstreamBase;
    private readonly string? username;
    private readonly string? password;
    private readonly HashSet<string> tokens = [];
    private readonly Task loop;
    private int challenges;
    private int tokensIssued;

    private TokenAuthProxy(Uri upstreamBase, string? username, string? password, int port)
    {
        this.upstreamBase = upstreamBase;
        this.username = username;
        this.password = password;
        Port = port;
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public int ChallengesSent => Volatile.Read(ref challenges);

    public int TokensIssued => Volatile.Read(ref tokensIssued);

    /// <summary>Starts a proxy for <paramref name="registry"/>; with a user name, /token requires those Basic credentials.</summary>
    public static TokenAuthProxy Start(LocalRegistry registry, string? username = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new TokenAuthProxy(registry.BaseUri, username, password, FreePort());
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path == "/token")
            {
                await IssueTokenAsync(context);
                return;
            }

            var authorization = context.Request.Headers["Authorization"];
            var token = authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? authorization["Bearer ".Length..] : null;
            bool valid;
            lock (tokens)
            {
                valid = token is not null && tokens.Contains(token);
            }

            if (!valid)
            {
                Interlocked.Increment(ref challenges);
                var repository = path.StartsWith("/v2/", StringComparison.Ordinal) && path.Contains("/manifests/", StringComparison.Ordinal)
                    ? path[4..path.IndexOf("/manifests/", StringComparison.Ordinal)]
                    : path.StartsWith("/v2/", StringComparison.Ordinal) && path.Contains("/blobs/", StringComparison.Ordinal)
                        ? path[4..path.IndexOf("/blobs/", StringComparison.Ordinal)]
                        : null;
                var scope = repository is null ? string.Empty : $",scope=\"repository:{repository}:pull\"";
                response.StatusCode = 401;
                response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://{Host}/token\",service=\"{Service}\"{scope}";
                await WriteAsync(response, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(upstreamBase, context.Request.Url.PathAndQuery));
            foreach (var accept in context.Request.Headers.GetValues("Accept") ?? [])
            {
                forward.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var answer = await upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode = (int)answer.StatusCode;
            foreach (var header in new[] { "Docker-Content-Digest", "Docker-Distribution-Api-Version" })
            {
                if (answer.Headers.TryGetValues(header, out var values))
                {
                    response.Headers[header] = values.First();
                }
            }

            if (answer.Content.Headers.ContentType is { } contentType)
            {
                response.ContentType = contentType.ToString();
            }

            if (answer.Content.Headers.ContentLength is { } length)
            {
                response.ContentLength64 = length;
            }

            await using var body = await answer.Content.ReadAsStreamAsync();
            await body.CopyToAsync(response.OutputStream);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

    private async Task IssueTokenAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (username is not null)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
            if (context.Request.Headers["Authorization"] != expected)
            {
                response.StatusCode = 401;
                await WriteAsync(response, """{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}""");
                return;
            }
        }

        if (context.Request.QueryString["service"] != Service)
        {
            response.StatusCode = 400;
            await WriteAsync(response, """{"errors":[{"code":"DENIED","message":"unknown service"}]}""");
            return;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        lock (tokens)
        {
            tokens.Add(token);
        }

        Interlocked.Increment(ref tokensIssued);
        response.ContentType = "application/json";
        await WriteAsync(response, $$"""{"token":"{{token}}","expires_in":300}""");
    }

    private static async Task WriteAsync(HttpListenerResponse response, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (ObjectDisposedException)
        {
        }

        upstream.Dispose();
    }
}
