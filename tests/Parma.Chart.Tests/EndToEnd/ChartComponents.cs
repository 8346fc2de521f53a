using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parma.Operator;
using Parma.Testing.ApiServer;
using Parma.Webhook;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// Starts the operator and the webhook in-process with the arguments of the chart's Deployments; only
/// what the cluster would provide is swapped in: files instead of mounted volumes, port 0 instead of a
/// pod IP, and a kubeconfig with the component's ServiceAccount identity instead of the in-cluster token.
/// </summary>
public sealed class ChartComponents : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly TestCertificateAuthority _webhookCa = new("parma-webhook-test-ca");
    private readonly string _work = Directory.CreateTempSubdirectory("parma-chart-e2e-").FullName;

    public string WorkDirectory => _work;

    /// <summary>The rendered settings ConfigMap's settings.json, where the pods would see it mounted.</summary>
    public string WriteSettings(RenderedChart chart)
    {
        var path = Path.Combine(_work, "settings.json");
        File.WriteAllText(path, chart.Single("ConfigMap")["data"]!["settings.json"]!.GetValue<string>());
        return path;
    }

    public string WriteKubeconfig(TestApiServer server, string user)
    {
        var path = Path.Combine(_work, $"{user.Replace(':', '_')}.kubeconfig");
        File.WriteAllText(path, server.Kubeconfig(user));
        return path;
    }

    /// <summary>
    /// What installing the chart brings up: the webhook as its Deployment runs it (serving a certificate
    /// from a test CA), once ready the chart's webhook configurations pointing at it, then the operator.
    /// Each runs under its ServiceAccount's identity.
    /// </summary>
    public async Task StartWebhookAndOperatorAsync(TestApiServer server, RenderedChart chart, string webhookUser, string operatorUser)
    {
        var settings = WriteSettings(chart);
        using var serving = _webhookCa.IssueServerCertificate();
        var certificate = Path.Combine(_work, "tls.crt");
        var key = Path.Combine(_work, "tls.key");
        await File.WriteAllTextAsync(certificate, serving.ExportCertificatePem());
        await File.WriteAllTextAsync(key, serving.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var webhook = await StartAsync(WebhookApp.Build, Rewrite(
            RenderedChart.Args(chart.Deployment("webhook")),
            new Dictionary<string, string>
            {
                ["--tls-cert"] = certificate,
                ["--tls-key"] = key,
                ["--port"] = "0",
                ["--metrics-port"] = "0",
                ["--settings"] = settings,
                ["--layer-cache"] = Directory.CreateDirectory(Path.Combine(_work, "webhook-layers")).FullName,
            },
            "--kubeconfig", WriteKubeconfig(server, webhookUser)));
        using var http = new HttpClient { BaseAddress = Address(webhook, "http") };
        await Eventually.GetAsync(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode ? "ready" : null, "the webhook's caches to sync");
        await server.CreateManifestsAsync(PointWebhooksAt(chart, Address(webhook, "https"), _webhookCa.CertificatePem));

        await StartAsync(OperatorApp.Build, Rewrite(
            RenderedChart.Args(chart.Deployment("operator")),
            new Dictionary<string, string>
            {
                ["--settings"] = settings,
                ["--layer-cache"] = Directory.CreateDirectory(Path.Combine(_work, "operator-layers")).FullName,
                ["--http-port"] = "0",
            },
            "--kubeconfig", WriteKubeconfig(server, operatorUser)));
    }

    /// <summary>Replaces the values of the given flags in the Deployment's args and appends <paramref name="extra"/>.</summary>
    public static string[] Rewrite(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> values, params string[] extra)
    {
        var result = args.ToArray();
        foreach (var (flag, value) in values)
        {
            var i = Array.IndexOf(result, flag);
            if (i < 0 || i + 1 >= result.Length)
            {
                throw new Xunit.Sdk.XunitException($"the rendered args have no {flag} to rewrite: {string.Join(' ', args)}");
            }

            result[i + 1] = value;
        }

        return [.. result, .. extra];
    }

    public async Task<WebApplication> StartAsync(Func<string[], WebApplication> build, string[] args)
    {
        var app = build(args);
        _apps.Add(app);
        await app.StartAsync();
        return app;
    }

    public static Uri Address(WebApplication app, string scheme)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith(scheme + "://", StringComparison.Ordinal));
        return new Uri($"{scheme}://127.0.0.1:{new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port}/");
    }

    /// <summary>The rendered webhook configurations with each service reference replaced by a URL to the in-process webhook.</summary>
    public static string PointWebhooksAt(RenderedChart chart, Uri webhook, string caBundlePem)
    {
        var documents = new List<string>();
        foreach (var configuration in chart.OfKind("MutatingWebhookConfiguration").Concat(chart.OfKind("ValidatingWebhookConfiguration")))
        {
            var copy = configuration.DeepClone().AsObject();
            foreach (var hook in copy["webhooks"]!.AsArray())
            {
                var path = hook!["clientConfig"]!["service"]!["path"]!.GetValue<string>();
                hook["clientConfig"] = new JsonObject
                {
                    ["url"] = new Uri(webhook, path).ToString(),
                    ["caBundle"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caBundlePem)),
                };
            }

            documents.Add(copy.ToJsonString());
        }

        return string.Join("\n---\n", documents);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            try
            {
                await app.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // The webhook's cluster view is disposed by its hosted service on stop and again by the
                // container; Informer.DisposeAsync is not idempotent (reported to the webhook/Kube owners).
            }
        }

        _webhookCa.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
