using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parma.Testing.ApiServer;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// Starts the operator and the webhook in-process with the arguments of the chart's Deployments; only
/// what the cluster would provide is swapped in: files instead of mounted volumes, port 0 instead of a
/// pod IP, and a kubeconfig with the component's ServiceAccount identity instead of the in-cluster token.
/// </summary>
public sealed class ChartComponents : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
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

        Directory.Delete(_work, recursive: true);
    }
}
