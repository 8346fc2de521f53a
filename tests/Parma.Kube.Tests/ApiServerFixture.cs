using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.Kube.Models;
using Parma.Testing.ApiServer;

namespace Parma.Kube.Tests;

/// <summary>One test API server per test class, and a client configured from its kubeconfig.</summary>
public class ApiServerFixture : IAsyncLifetime
{
    private int _namespaceCounter;

    public TestApiServer Server { get; private set; } = null!;

    public KubernetesClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestApiServer.StartAsync();
        Client = NewClient();
    }

    public KubernetesClient NewClient(RetryPolicy? retry = null, TimeSpan? timeout = null)
    {
        var config = KubeConfigLoader.LoadYaml(Server.Kubeconfig());
        return new KubernetesClient(new KubeClientConfig
        {
            Server = config.Server,
            CertificateAuthorities = config.CertificateAuthorities,
            TokenProvider = config.TokenProvider,
            Namespace = config.Namespace,
            Retry = retry ?? new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10) },
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>A fresh namespace so tests in one class do not see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = $"t{Interlocked.Increment(ref _namespaceCounter)}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
