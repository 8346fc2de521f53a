using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Protocol;

/// <summary>A host-side client of grpc.AgentService over ttrpc (what the kata shim is to the agent).</summary>
public sealed class AgentClient : IAsyncDisposable
{
    private readonly TtrpcClient _client;

    private AgentClient(TtrpcClient client) => _client = client;

    public TtrpcClient Connection => _client;

    public static async Task<AgentClient> ConnectAsync(string address, CancellationToken cancellationToken = default) =>
        new(await TtrpcClient.ConnectAsync(AgentAddress.EndPoint(address), cancellationToken).ConfigureAwait(false));

    /// <summary>Calls a method by name; a non-OK answer throws <see cref="TtrpcException"/>.</summary>
    public async Task<IMessage> CallAsync(string method, IMessage request, CancellationToken cancellationToken = default)
    {
        var m = AgentMethods.ByName.TryGetValue(method, out var found) ? found : throw new ArgumentException($"{AgentMethods.Service} has no method {method}");
        var bytes = await _client.CallAsync(AgentMethods.Service, m.Name, request.ToByteArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return m.Response.Parser.ParseFrom(bytes);
    }

    /// <summary>
    /// Sends a request given as policy input (a trace case): the kind names the request type. Keys the
    /// request type does not have are skipped, as kata's serde skips them, and reported to <paramref name="ignored"/>.
    /// </summary>
    public Task<IMessage> SendAsync(string kind, JsonObject input, CancellationToken cancellationToken = default, Action<string>? ignored = null)
    {
        var method = AgentMethods.ForKind(kind) ?? throw new PolicyInputException($"{kind} is not a request of {AgentMethods.Service}");
        return CallAsync(method.Name, PolicyInputReader.Read(input, method.Request, ignored), cancellationToken);
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
