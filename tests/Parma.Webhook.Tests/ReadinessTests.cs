using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parma.Testing.ApiServer;

namespace Parma.Webhook.Tests;

/// <summary>
/// The webhook started against an API server that never answers: it serves TLS and stays live, but /readyz refuses on
/// both ports until its group caches sync, so its Service sends it no reviews (and kubelet does not restart it).
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("parma-webhook-readiness-").FullName;
    private readonly TestCertificateAuthority _authority = new();
    private WebApplication _app = null!;
    private HttpClient _https = null!;
    private int _port;
    private int _metricsPort;

    public async Task InitializeAsync()
    {
        using (var certificate = _authority.IssueServerCertificate())
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, "tls.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(_directory, "tls.crt"), certificate.ExportCertificatePem());
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "settings.json"), "{}");
        await File.WriteAllTextAsync(Path.Combine(_directory, "kubeconfig"), UnreachableApiServer.Kubeconfig(_authority));
        _app = WebhookApp.Build([
            "--tls-cert", Path.Combine(_directory, "tls.crt"), "--tls-key", Path.Combine(_directory, "tls.key"),
            "--port", "0", "--metrics-port", "0", "--settings", Path.Combine(_directory, "settings.json"),
            "--kubeconfig", Path.Combine(_directory, "kubeconfig"), "--layer-cache", Path.Combine(_directory, "layers"),
        ]);
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        _port = addresses.Single(a => a.Scheme == "https").Port;
        _metricsPort = addresses.Single(a => a.Scheme == "http").Port;
        _https = WebhookFixture.TrustingClient(_authority.Certificate);
    }

    public async Task DisposeAsync()
    {
        _https.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Until_the_group_caches_sync_the_webhook_is_live_but_not_ready()
    {
        using var plain = new HttpClient();
        foreach (var (client, root) in new[] { (_https, $"https://127.0.0.1:{_port}"), (plain, $"http://127.0.0.1:{_metricsPort}") })
        {
            using var live = await client.GetAsync(new Uri($"{root}/healthz"));
            live.StatusCode.Should().Be(HttpStatusCode.OK, root);
            using var ready = await client.GetAsync(new Uri($"{root}/readyz"));
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, root);
            (await ready.Content.ReadAsStringAsync()).Should().Be(
                "[-]cluster-cache failed: the ConfidentialPodGroup caches have not synced yet\nreadyz check failed\n");
        }
    }
}
