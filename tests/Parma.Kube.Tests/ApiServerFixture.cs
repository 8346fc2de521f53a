using System.Text;
using k8s;
using k8s.Models;
using Parma.Kube.Client;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Kube.Tests;

/// <summary>One test API server per test class, and the official client configured from its kubeconfig (with Parma's retries).</summary>
public class ApiServerFixture : IAsyncLifetime
{
    private int _namespaceCounter;

    public TestApiServer Server { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestApiServer.StartAsync();
        Client = NewClient();
    }

    public KubernetesClientConfiguration Configuration(string? certificateUser = null)
    {
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(Server.Kubeconfig(certificateUser)));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
    }

    public IKubernetes NewClient(KubeRetryOptions? retry = null, TimeSpan? timeout = null)
    {
        var configuration = Configuration();
        configuration.HttpClientTimeout = timeout ?? TimeSpan.FromSeconds(30);
        return KubeClients.Create(configuration, retry ?? new KubeRetryOptions { InitialDelay = TimeSpan.FromMilliseconds(10) });
    }

    /// <summary>A fresh namespace so tests in one class do not see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = $"t{Interlocked.Increment(ref _namespaceCounter)}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
