using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parma.Agent.Enforcement;
using Parma.Agent.Transport;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;
using Parma.Rego;

namespace Parma.Agent.Hosting;

/// <summary>
/// A running agent: the policy loaded and bound to HOST_DATA before the socket opens, the enforcing
/// dispatcher, and the ttrpc server. A policy whose host_data differs from the report's HOST_DATA
/// (or a report that cannot be obtained) leaves the agent refusing every request, saying why.
/// </summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly TtrpcServer _server;
    private readonly AuditLog _audit;
    private readonly AgentHostOptions _options;

    private AgentHost(AgentHostOptions options, TtrpcServer server, EnforcingDispatcher dispatcher, AuditLog audit)
    {
        _options = options;
        _server = server;
        Dispatcher = dispatcher;
        _audit = audit;
    }

    public EnforcingDispatcher Dispatcher { get; }

    public AuditLog Audit => _audit;

    public string Address => _server.Address;

    public AgentPolicy Policy => Dispatcher.Policy;

    public static async Task<AgentHost> StartAsync(AgentHostOptions options, CancellationToken cancellationToken = default)
    {
        var logger = options.Logger ?? NullLogger.Instance;
        var policy = await LoadPolicyAsync(options, logger, cancellationToken).ConfigureAwait(false);
        var audit = new AuditLog(options.AuditWriter ?? Console.Error);
        var dispatcher = new EnforcingDispatcher(policy, options.Backend, audit, options.ReportProvider, logger);
        var server = new TtrpcServer(AgentAddress.Listener(options.Address), dispatcher, logger);
        server.Start();
        logger.LogInformation("agent listening on {Address} with the {Backend} backend", server.Address, options.Backend.Name);
        return new AgentHost(options, server, dispatcher, audit);
    }

    /// <summary>Reads the policy and binds it: the agent's base case.</summary>
    public static async Task<AgentPolicy> LoadPolicyAsync(AgentHostOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.PolicyPath is null)
        {
            logger.LogWarning("no policy configured: only a first SetPolicy is allowed");
            return AgentPolicy.AwaitingFirstSetPolicy();
        }

        var file = PolicyFile.Read(options.PolicyPath);
        PolicyEngine engine;
        try
        {
            engine = PolicyEngine.Load(file.PolicyText);
        }
        catch (RegoException e)
        {
            throw new Policy.Input.PolicyInputException($"{options.PolicyPath}: the policy does not compile: {e.Message}");
        }

        if (options.ReportProvider is null)
        {
            var reason = "no attestation report provider is configured, so the policy cannot be bound to HOST_DATA";
            logger.LogError("refusing every request: {Reason}", reason);
            return AgentPolicy.Refusing(engine, file.HostData, reason);
        }

        var binding = await HostDataBinding.CheckAsync(file.HostData, options.ReportProvider, cancellationToken).ConfigureAwait(false);
        if (!binding.Bound)
        {
            logger.LogError("refusing every request: {Reason}", binding.Detail);
            return AgentPolicy.Refusing(engine, file.HostData, binding.Detail);
        }

        logger.LogInformation("{Detail}", binding.Detail);
        return AgentPolicy.Bound(engine, file.HostData);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        await _options.Backend.DisposeAsync().ConfigureAwait(false);
        Dispatcher.Dispose();
    }
}
