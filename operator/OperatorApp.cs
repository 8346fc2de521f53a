using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Hosting;
using k8s;
using Parma.Kube.Client;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Operator.Controller;
using Parma.Operator.Events;
using Parma.Operator.Hosting;
using Parma.Operator.Observability;
using Parma.Operator.Policy;
using Parma.Operator.Reads;
using Parma.Operator.Reconciliation;

namespace Parma.Operator;

/// <summary>
/// The operator host: the ConfidentialPodGroup controller (behind leader election) plus /healthz,
/// /readyz and /metrics on <c>--http-port</c> (plain HTTP). Program.cs only calls <c>Build(args).Run()</c>.
/// </summary>
public static class OperatorApp
{
    public static WebApplication Build(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = OperatorOptions.Parse(args);
        var settings = ParmaSettingsLoader.Load(options.SettingsPath);

        var builder = WebApplication.CreateSlimBuilder();
        builder.AddParmaOperations("parma-operator");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(options.HttpPort));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var kubeConfig = KubeClients.LoadConfiguration(options.KubeconfigPath);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(KubeClients.Create(kubeConfig));
        builder.Services.AddSingleton<OperatorMetrics>();
        builder.Services.AddSingleton(new LayerCache(options.LayerCacheDirectory));
        builder.Services.AddSingleton(provider => new GroupImageResolver(
            new RegistryClientOptions { InsecureRegistries = [.. settings.InsecureRegistries] },
            provider.GetRequiredService<LayerCache>(),
            options.ImageLayouts,
            new ImageFactsCache(options.ImageRecheckInterval)));
        builder.Services.AddSingleton(PolicySettingsCatalog.Load(settings.PolicySettingsFile));
        builder.Services.AddSingleton<ClusterReader>();
        builder.Services.AddSingleton(provider => new GroupInputsReader(
            new CachedGroupInputReader(provider.GetRequiredService<ClusterReader>()), provider.GetRequiredService<PolicySettingsCatalog>()));
        builder.Services.AddSingleton<GroupPolicyBuilder>();
        builder.Services.AddSingleton(provider => new EventRecorder(
            provider.GetRequiredService<IKubernetes>(), options.Identity, provider.GetRequiredService<ILogger<EventRecorder>>()));
        builder.Services.AddSingleton(new ReconcilerOptions { Settings = settings, ImageRecheckInterval = options.ImageRecheckInterval });
        builder.Services.AddSingleton<WatchCaches>();
        builder.Services.AddSingleton<GroupReconciler>();
        builder.Services.AddSingleton(new ControllerOptions { Workers = options.Workers });
        builder.Services.AddSingleton<GroupController>();
        builder.Services.AddSingleton<OperatorService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<OperatorService>());
        builder.Services.AddReadinessCheck<OperatorService>("controller", service => service.IsReady, "the controller leads but its caches are not synced yet");

        var app = builder.Build();
        app.MapParmaOperations();
        return app;
    }
}
