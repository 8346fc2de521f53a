using Google.Protobuf;
using Parma.Agent.Protocol;

namespace Parma.Agent.Runtime;

/// <summary>
/// DECISIONS ONLY — carries out nothing. Every request the policy allowed is answered with success and
/// the default response message of its method (an empty <c>Empty</c>, a <c>WaitProcessResponse</c>
/// with status 0, a <c>ReadStreamResponse</c> without data, …), so that recorded host traffic can be
/// replayed against a policy and its decisions, state included, observed over the real socket. Nothing
/// is created, run, copied or configured, and <c>GetOOMEvent</c> returns at once instead of waiting.
/// </summary>
public sealed class DecisionsOnlyBackend : IRuntimeBackend
{
    public const string Banner = "DECISIONS-ONLY BACKEND: allowed requests are answered with success but NOTHING is carried out; for replaying host traffic against a policy";

    public string Name => "none (decisions only)";

    public Task<IMessage> ExecuteAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken) =>
        Task.FromResult((IMessage)Activator.CreateInstance(method.Response.ClrType)!);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
