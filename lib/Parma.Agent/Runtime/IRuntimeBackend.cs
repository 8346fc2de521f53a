using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Runtime;

/// <summary>
/// Carries out requests the policy allowed. A backend throws <see cref="RuntimeException"/> when it
/// cannot; the dispatcher then answers with that status and keeps the policy state as it was.
/// </summary>
public interface IRuntimeBackend : IAsyncDisposable
{
    /// <summary>For logs and the start-up banner.</summary>
    string Name { get; }

    /// <summary>The guest's own record of the storages it set up, which the policy reads at data.guest (never the host's claim).</summary>
    GuestStorageLedger Storages { get; }

    Task<IMessage> ExecuteAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken);
}
