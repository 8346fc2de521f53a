using Parma.Attestation.Report;

namespace Parma.Attestation.KeyRelease;

/// <summary>A ConfidentialPodGroup named by namespace and name.</summary>
public sealed record GroupReference(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>
/// When a secret may be released. HOST_DATA must be one of <see cref="AllowedHostData"/> or, when <see cref="Group"/> is
/// set, one of the values the group's status currently lists (via <see cref="IHostDataSource"/>). Debug is never allowed.
/// </summary>
public sealed record KeyReleasePolicy
{
    public IReadOnlyList<string> AllowedHostData { get; init; } = [];

    public GroupReference? Group { get; init; }

    public IReadOnlyList<string> AllowedMeasurements { get; init; } = [];

    public TcbComponents? MinimumTcb { get; init; }

    public uint RequiredVmpl { get; init; }
}

/// <summary>A secret the service can release, with the policy that guards it.</summary>
public sealed record ReleasableSecret(string KeyId, byte[] Secret, KeyReleasePolicy Policy);

/// <summary>The host_data values a ConfidentialPodGroup currently allows (its status.hostData; more than one during a roll).</summary>
public interface IHostDataSource
{
    Task<IReadOnlyList<string>> GetAllowedHostDataAsync(GroupReference group, CancellationToken cancellationToken);
}

/// <summary>Host data from a fixed map; the Kubernetes-backed source (reading ConfidentialPodGroup status) plugs in here.</summary>
public sealed class InMemoryHostDataSource : IHostDataSource
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<GroupReference, IReadOnlyList<string>> _groups = new();

    public void Set(GroupReference group, params string[] hostData) => _groups[group] = hostData;

    public Task<IReadOnlyList<string>> GetAllowedHostDataAsync(GroupReference group, CancellationToken cancellationToken) =>
        Task.FromResult(_groups.TryGetValue(group, out var values) ? values : (IReadOnlyList<string>)[]);
}
