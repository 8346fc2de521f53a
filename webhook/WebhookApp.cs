using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Parma.Api;
using Parma.Hosting;
using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.Webhook.Admission;
using Parma.Webhook.Generation;
using Parma.Webhook.Groups;
using Parma.Webhook.Mutation;
using Parma.Webhook.Observability;
using Parma.Webhook.Tls;
using Parma.Webhook.Validation;

namespace Parma.Webhook;

/// <summary>
/// The admission webhook host: HTTPS (HTTP/1.1 and HTTP/2) on --port with /mutate/pods, /validate/pods,
/// /validate/confidentialpodgroups, /healthz and /readyz; plain HTTP on --metrics-port with /metrics,
/// /healthz and /readyz. Program.cs only calls <c>Build(args).Run()</c>; tests start it the same way.
/// </summary>
public static class WebhookApp
{
    public const string ServiceName = "parma-webhook";

    public static WebApplication Build(string[] args)
    {
        var options = WebhookOptions.Parse(args);
        var settings = WebhookSettings.Load(options.SettingsPath);

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddParmaOperations(ServiceName);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(settings);

        var reloader = new CertificateReloader(options.CertificatePath, options.KeyPath, options.CertificatePollInterval);
        builder.Services.AddSingleton(reloader);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = AdmissionEndpoint.DrainLimit(options.MaxRequestBodyBytes);
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.IPv6Any, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => reloader.Current);
            });
            if (options.MetricsPort >= 0)
            {
                kestrel.Listen(IPAddress.IPv6Any, options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });

        AddClusterView(builder, options);
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<GroupPolicySource>();
        builder.Services.AddSingleton(provider => new PolicyInputs(
            provider.GetRequiredService<IClusterView>(), settings, options.LayerCacheDirectory, options.ImageLayouts));
        builder.Services.AddSingleton<OptInPolicies>();
        builder.Services.AddSingleton<PreflightCheck>();
        builder.Services.AddSingleton<PodExpectations>();
        builder.Services.AddSingleton<PodMutation>();
        builder.Services.AddSingleton<PodValidation>();
        builder.Services.AddSingleton<GroupSpecValidation>();
        builder.Services.AddReadinessCheck<IClusterView>("cluster-cache", view => view.IsSynced, "the ConfidentialPodGroup caches have not synced yet");

        var app = builder.Build();
        reloader.Logger = app.Services.GetRequiredService<ILogger<CertificateReloader>>();
        app.Lifetime.ApplicationStopping.Register(reloader.Dispose);
        Map<PodMutation>(app, "/mutate/pods");
        Map<PodValidation>(app, "/validate/pods");
        Map<GroupSpecValidation>(app, "/validate/confidentialpodgroups");
        app.MapParmaOperations();
        return app;
    }

    private static void Map<THandler>(WebApplication app, string path)
        where THandler : IAdmissionHandler
    {
        var endpoint = new AdmissionEndpoint(
            app.Services.GetRequiredService<THandler>(),
            app.Services.GetRequiredService<IClusterView>(),
            app.Services.GetRequiredService<WebhookMetrics>(),
            app.Services.GetRequiredService<WebhookOptions>(),
            app.Services.GetRequiredService<ILogger<AdmissionEndpoint>>());
        app.MapPost(path, endpoint.HandleAsync);
    }

    private static void AddClusterView(WebApplicationBuilder builder, WebhookOptions options)
    {
        if (options.GroupFile is { } file)
        {
            builder.Services.AddSingleton<IClusterView>(new FileClusterView(file));
            return;
        }

        KubeClientConfig config;
        try
        {
            config = options.KubeconfigPath is { } path ? KubeConfigLoader.LoadFile(path) : KubeConfigLoader.LoadDefault();
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new WebhookStartupException($"cannot configure the Kubernetes client: {e.Message}", e);
        }

        builder.Services.AddSingleton<IKubernetesClient>(_ => new KubernetesClient(config, ParmaJson.Options));
        builder.Services.AddSingleton(provider => new KubernetesClusterView(
            provider.GetRequiredService<IKubernetesClient>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger<KubernetesClusterView>()));
        builder.Services.AddSingleton<IClusterView>(provider => provider.GetRequiredService<KubernetesClusterView>());
        builder.Services.AddHostedService<ClusterViewService>();
    }
}
