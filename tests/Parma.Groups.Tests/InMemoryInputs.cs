using k8s.Models;
using Parma.Groups.Inputs;

namespace Parma.Groups.Tests;

/// <summary>Group inputs held in memory, counting what was asked for.</summary>
internal sealed class InMemoryInputs : IGroupInputReader
{
    public Dictionary<string, V1ConfigMap> ConfigMaps { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, V1Secret> Secrets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, V1ServiceAccount> ServiceAccounts { get; } = new(StringComparer.Ordinal);

    public List<string> Reads { get; } = [];

    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken) => Get(ConfigMaps, "ConfigMap", ns, name);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) => Get(Secrets, "Secret", ns, name);

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) => Get(ServiceAccounts, "ServiceAccount", ns, name);

    private Task<T?> Get<T>(Dictionary<string, T> objects, string kind, string ns, string name)
        where T : class
    {
        Reads.Add($"{kind} {ns}/{name}");
        return Task.FromResult(objects.GetValueOrDefault($"{ns}/{name}"));
    }
}
