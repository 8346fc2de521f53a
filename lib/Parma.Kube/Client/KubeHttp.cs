using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Parma.Kube.Config;

namespace Parma.Kube.Client;

/// <summary>Builds the HTTP stack for a configuration: TLS trust, client certificate, bearer token.</summary>
internal static class KubeHttp
{
    public static HttpClient CreateHttpClient(KubeClientConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    ValidateServerCertificate(config, certificate as X509Certificate2, errors),
            },
        };
        if (config.ClientCertificate is { } clientCertificate)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        HttpMessageHandler top = config.TokenProvider is { } tokens ? new BearerTokenHandler(tokens, handler) : handler;
        if (config.WrapHandler is { } wrap)
        {
            top = wrap(top);
        }

        return new HttpClient(top) { BaseAddress = config.Server, Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool ValidateServerCertificate(KubeClientConfig config, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (config.SkipTlsVerify)
        {
            return true;
        }

        if (config.CertificateAuthorities.Count == 0)
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
        chain.ChainPolicy.CustomTrustStore.AddRange(config.CertificateAuthorities);
        return chain.Build(certificate);
    }

    private sealed class BearerTokenHandler(ITokenProvider tokens, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
