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

    /// <summary>
    /// Whether <paramref name="request"/> needs work before it is carried out that can take long and that
    /// changes no policy state: copying and checking the host's layer files for a CreateContainer.
    /// </summary>
    bool NeedsPreparation(IMessage request) => false;

    /// <summary>
    /// That work, for a request the policy allowed. The dispatcher runs it outside its state gate (so a
    /// slow or endless layer source holds up no other request) and then calls <see cref="ExecuteAsync"/>
    /// with the same request, which uses what was prepared. <paramref name="layers"/> is what the
    /// enforced policy says about layer sources.
    /// </summary>
    Task PrepareAsync(AgentMethod method, IMessage request, LayerSourcePolicy layers, CancellationToken cancellationToken) => Task.CompletedTask;
}
