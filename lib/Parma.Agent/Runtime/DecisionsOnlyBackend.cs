using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Runtime;

/// <summary>
/// DECISIONS ONLY — carries out nothing. Every request the policy allowed is answered with success and
/// the default response message of its method (an empty <c>Empty</c>, a <c>WaitProcessResponse</c>
/// with status 0, a <c>ReadStreamResponse</c> without data, …), so that recorded host traffic can be
/// replayed against a policy and its decisions, state included, observed over the real socket. Nothing
/// is created, run, copied or configured, and <c>GetOOMEvent</c> returns at once instead of waiting.
/// Its record of storages (<see cref="Storages"/>) holds what the Linux backend in a UVM would set up
/// for the storages of the requests it answered, so that policies that read it decide as they would there.
/// </summary>
public sealed class DecisionsOnlyBackend : IRuntimeBackend
{
    public const string Banner = "DECISIONS-ONLY BACKEND: allowed requests are answered with success but NOTHING is carried out; for replaying host traffic against a policy";

    public string Name => "none (decisions only)";

    public GuestStorageLedger Storages { get; } = new();

    public Task<IMessage> ExecuteAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case CreateSandboxRequest sandbox:
                Plan(sandbox.Storages);
                break;
            case CreateContainerRequest create:
                Plan(create.Storages);
                break;
            case DestroySandboxRequest:
                Storages.Clear();
                break;
        }

        return Task.FromResult((IMessage)Activator.CreateInstance(method.Response.ClrType)!);
    }

    private void Plan(IEnumerable<Storage> storages) =>
        Storages.KeepNew(storages
            .Select(s => GuestStorageRecord.Planned(s.Driver, s.Source, s.MountPoint, s.Fstype, s.DriverOptions))
            .Where(r => r.Setup != StorageSetup.ContainerRoot));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
