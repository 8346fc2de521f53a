using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Hosting;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Output;

namespace Parma.GuestAgent.Tests;

/// <summary>What the agent answered: OK, or a status and its message.</summary>
public sealed record Answer(StatusCode Code, string Message, IMessage? Response)
{
    public bool Ok => Code == StatusCode.Ok;
}

/// <summary>
/// An agent on a real Unix socket, with the development backend (layer checks on, copied files written
/// under its own directory) and a client connected to it.
/// </summary>
public sealed class RunningAgent : IAsyncDisposable
{
    private readonly StringWriter _audit;

    private RunningAgent(AgentHost host, AgentClient client, StringWriter audit, string socket)
    {
        Host = host;
        Client = client;
        _audit = audit;
        Socket = socket;
    }

    public AgentHost Host { get; }

    public AgentClient Client { get; }

    public string Socket { get; }

    public IReadOnlyList<JsonObject> AuditLines =>
        _audit.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public string AuditText => _audit.ToString();

    public string State => Host.Policy.Session.State.ToJson();

    /// <summary>Starts an agent for the group's policy. <paramref name="launchHostData"/>: the HOST_DATA the (development) hardware holds; by default the policy's.</summary>
    public static async Task<RunningAgent> StartAsync(ProbeGroup group, byte[]? launchHostData = null, string? policyPath = "", IRuntimeBackend? backend = null)
    {
        var directory = group.NewDirectory("agent");
        var socket = Path.Combine(directory, "agent.sock");
        var audit = new StringWriter();
        var policy = policyPath == "" ? group.PolicyPath : policyPath;
        var hostData = policy is null ? null : PolicyFile.Read(policy).HostData;
        var host = await AgentHost.StartAsync(new AgentHostOptions
        {
            Address = socket,
            PolicyPath = policy,
            ReportProvider = ReportProviderChoice.Create("dev", hostData, launchHostData),
            Backend = backend ?? new DevelopmentBackend(new RuntimeOptions { StateDirectory = Path.Combine(directory, "state"), LayerSourceRoot = group.LayerRoot, CopyFileRoot = Path.Combine(directory, "copy") }),
            AuditWriter = TextWriter.Synchronized(audit),
        });
        var client = await AgentClient.ConnectAsync(socket);
        return new RunningAgent(host, client, audit, socket);
    }

    public async Task<Answer> SendAsync(string kind, JsonObject input)
    {
        try
        {
            return new Answer(StatusCode.Ok, string.Empty, await Client.SendAsync(kind, input));
        }
        catch (TtrpcException e)
        {
            return new Answer(e.Code, e.Message, null);
        }
    }

    public async Task<Answer> CallAsync(string method, IMessage request)
    {
        try
        {
            return new Answer(StatusCode.Ok, string.Empty, await Client.CallAsync(method, request));
        }
        catch (TtrpcException e)
        {
            return new Answer(e.Code, e.Message, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Host.DisposeAsync();
    }
}
