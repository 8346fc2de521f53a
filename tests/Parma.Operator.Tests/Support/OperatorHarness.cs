using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parma.Api;
using Parma.Kube.Client;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Hosting;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.Operator.Tests.Support;

/// <summary>
/// A test API server with the CRD installed, a client, a fake kubelet, and operators started in-process
/// with the same flags as the Deployment (short leases and image rechecks so that tests run fast).
/// </summary>
public sealed class OperatorHarness : IAsyncDisposable
{
    private readonly ImageRegistryFixture _images;
    private readonly string _work = Directory.CreateTempSubdirectory("parma-operator-test-").FullName;
    private readonly List<RunningOperator> _operators = [];

    private OperatorHarness(ImageRegistryFixture images, TestApiServer server, IKubernetes client, FakeKubelet kubelet)
    {
        _images = images;
        Server = server;
        Client = client;
        Kubelet = kubelet;
    }

    public TestApiServer Server { get; }

    public IKubernetes Client { get; }

    public FakeKubelet Kubelet { get; }

    public string KubeconfigPath => Path.Combine(_work, "kubeconfig");

    /// <param name="moreInsecureRegistries">Plain-HTTP registries besides the fixture's (e.g. a token-auth proxy in front of it).</param>
    public static async Task<OperatorHarness> StartAsync(ImageRegistryFixture images, TimeSpan? podStartup = null, IEnumerable<string>? moreInsecureRegistries = null)
    {
        var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName)));
        var client = KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(server.Kubeconfig()))));
        var kubelet = new FakeKubelet(client, podStartup ?? TimeSpan.FromMilliseconds(200));
        var harness = new OperatorHarness(images, server, client, kubelet);
        await File.WriteAllTextAsync(harness.KubeconfigPath, server.Kubeconfig());
        await File.WriteAllTextAsync(Path.Combine(harness._work, "settings.json"), $$"""
            {
              "runtimeClassName": "kata-qemu-snp",
              "allowedRuntimeClasses": ["kata-qemu-snp", "kata-clh-snp"],
              "nodeSelector": {},
              "tolerations": [],
              "insecureRegistries": [{{string.Join(", ", new[] { images.Registry.Host }.Concat(moreInsecureRegistries ?? []).Select(h => $"\"{h}\""))}}]
            }
            """);
        return harness;
    }

    /// <summary>Starts an operator (OperatorApp.Build with Deployment-style flags) and returns it running.</summary>
    public async Task<RunningOperator> StartOperatorAsync(string identity = "operator-a", bool leaderElect = true, params string[] extraArgs)
    {
        string[] args =
        [
            "--kubeconfig", KubeconfigPath,
            "--settings", Path.Combine(_work, "settings.json"),
            "--leader-elect", leaderElect ? "true" : "false",
            "--leader-election-namespace", "default",
            "--lease-name", "parma-operator",
            "--identity", identity,
            "--layer-cache", _images.LayerCache,
            "--http-port", "0",
            "--image-layout", ImageRegistryFixture.Layout,
            "--image-recheck-interval", "1",
            "--lease-duration", "3",
            "--renew-deadline", "2",
            "--retry-period", "0.5",
            .. extraArgs,
        ];
        var app = OperatorApp.Build(args);
        await app.StartAsync();
        var running = new RunningOperator(app, identity);
        _operators.Add(running);
        return running;
    }

    /// <summary>A group in namespace default from a YAML spec body (indented by two spaces under spec:).</summary>
    public async Task<ConfidentialPodGroup> CreateGroupAsync(string name, string image, int replicas = 2, string extraSpec = "")
    {
        var yaml = $"""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: {name}
            spec:
              replicas: {replicas}
            {extraSpec}
              template:
                metadata:
                  labels:
                    app: {name}
                spec:
                  containers:
                    - name: app
                      image: {image}
                      env:
                        - name: GREETING
                          value: bonjour
            """;
        await Server.CreateManifestsAsync(yaml);
        return await Client.GetAsync<ConfidentialPodGroup>(name, "default");
    }

    public async Task<IReadOnlyList<V1Pod>> PodsAsync(string group)
    {
        var list = await Client.ListAsync<V1Pod>("default", new ListOptions { LabelSelector = $"{ParmaLabels.Group}={group}" });
        return [.. list.Items];
    }

    public Task<ConfidentialPodGroup> GroupAsync(string name) => Client.GetAsync<ConfidentialPodGroup>(name, "default");

    /// <summary>Waits until the group has <paramref name="replicas"/> ready pods, all under its current host_data, and returns it.</summary>
    public async Task<ConfidentialPodGroup> WaitRolledOutAsync(string name, int replicas, string? notHostData = null, TimeSpan? timeout = null) =>
        await Eventually.GetAsync(async () =>
        {
            var group = await GroupAsync(name);
            var hostData = group.Status?.HostData;
            if (hostData is null || hostData == notHostData || group.Status!.ReadyReplicas != replicas || group.Status.UpdatedReplicas != replicas)
            {
                return null;
            }

            var pods = await PodsAsync(name);
            return pods.Count == replicas
                && pods.All(p => p.GetAnnotation(ParmaLabels.HostDataAnnotation) == hostData && p.Status?.Phase == "Running")
                ? group
                : null;
        }, $"group {name} to run {replicas} ready pods under its current policy", timeout);

    public async Task PatchGroupAsync(string name, string mergePatchJson) =>
        await Client.PatchAsync<ConfidentialPodGroup>(name, "default", KubePatch.Merge(mergePatchJson));

    public static string Condition(ConfidentialPodGroup group, string type) =>
        ConditionList.Find(group.Status?.Conditions, type) is { } c ? $"{c.Status}/{c.Reason}" : "absent";

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _operators)
        {
            await running.DisposeAsync();
        }

        await Kubelet.DisposeAsync();
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}

/// <summary>An operator app started by a test.</summary>
public sealed class RunningOperator(WebApplication app, string identity) : IAsyncDisposable
{
    private bool _stopped;

    public WebApplication App { get; } = app;

    public string Identity { get; } = identity;

    public bool IsLeader => App.Services.GetRequiredService<OperatorService>().IsLeader;

    public Uri BaseUri
    {
        get
        {
            var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
            return new Uri($"http://127.0.0.1:{port}/");
        }
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
    }
}
