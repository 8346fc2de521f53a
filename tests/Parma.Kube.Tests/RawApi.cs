using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer;

namespace Parma.Kube.Tests;

/// <summary>Plain HTTP against the test server, to check exact wire shapes without the client in between.</summary>
internal sealed class RawApi : IDisposable
{
    private readonly HttpClient _http;

    public RawApi(TestApiServer server)
    {
        var ca = server.Authority.Certificate;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
            chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            return certificate is not null && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
        };
        _http = new HttpClient(handler) { BaseAddress = server.BaseUri };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
    }

    public HttpClient Http => _http;

    public async Task<(int Code, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, (JsonObject)JsonNode.Parse(text)!);
    }

    public void Dispose() => _http.Dispose();
}
