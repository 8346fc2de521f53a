using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;

namespace Parma.Benchmarks.Agent;

/// <summary>Benchmark-only: answers every allowed request with an empty response, so that the numbers are the agent's own path (socket, ttrpc, decoding, policy, state), not a runtime's.</summary>
internal sealed class DecisionOnlyBackend : IRuntimeBackend
{
    public string Name => "decision-only (benchmark)";

    /// <summary>Never kept: each request is decided against the storages it names, as planned.</summary>
    public Parma.Policy.Enforcement.GuestStorageLedger Storages { get; } = new();

    public Task<IMessage> ExecuteAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(method.Response.Parser.ParseFrom(ReadOnlySpan<byte>.Empty));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
