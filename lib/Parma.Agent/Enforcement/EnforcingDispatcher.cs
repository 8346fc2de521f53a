using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Attestation.Guest;
using Parma.Policy.Enforcement;
using Parma.Rego;

namespace Parma.Agent.Enforcement;

/// <summary>
/// The agent's request path: decode the request, decide it with the policy, carry it out with the
/// backend, then keep the policy's new state. State changes are all-or-nothing: a request that the
/// backend fails after the policy allowed it leaves the state as it was. Requests whose decision
/// changes state are carried out one at a time under the state gate; the others (exec, wait, reads)
/// run concurrently. What binds once is decided and done under that gate: the first SetPolicy of an
/// agent started without a policy (any later one is refused, whatever the policy says) and
/// CreateSandbox (a UVM hosts one sandbox). Work that can take long and changes no state (copying and
/// checking a CreateContainer's layers) runs outside the gate after the decision; if another request
/// changed the state meanwhile, the request is decided again before it is carried out.
/// </summary>
public sealed class EnforcingDispatcher(
    AgentPolicy policy,
    IRuntimeBackend backend,
    AuditLog audit,
    IAttestationReportProvider? reportProvider = null,
    ILogger? logger = null) : ITtrpcHandler, IDisposable
{
    private readonly SemaphoreSlim _stateGate = new(1, 1);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private AgentPolicy _policy = policy;

    // Changed only under the state gate.
    private long _commits;
    private bool _sandboxCreated;

    /// <summary>The policy now enforced (replaced once when a first SetPolicy arrives at an agent started without one).</summary>
    public AgentPolicy Policy => Volatile.Read(ref _policy);

    public async Task<byte[]> HandleAsync(TtrpcCall call, CancellationToken cancellationToken)
    {
        if (call.Service != AgentMethods.Service)
        {
            throw new TtrpcException(StatusCode.Unimplemented, $"unknown service {call.Service}; this agent serves {AgentMethods.Service}");
        }

        if (!AgentMethods.ByName.TryGetValue(call.Method, out var method))
        {
            throw new TtrpcException(StatusCode.Unimplemented, $"{AgentMethods.Service} has no method {call.Method}");
        }

        IMessage request;
        Value input;
        try
        {
            request = method.Request.Parser.ParseFrom(call.Payload);
            input = PolicyValue.From(request);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or PolicyInputException)
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"{method.Kind}: the payload is not a valid {method.Request.FullName}: {e.Message}");
        }

        var response = await DecideAndExecuteAsync(method, request, input, cancellationToken).ConfigureAwait(false);
        return response.ToByteArray();
    }

    /// <summary>The whole path for an already decoded request (also used in-process by benchmarks and tests).</summary>
    public async Task<IMessage> DecideAndExecuteAsync(AgentMethod method, IMessage request, Value input, CancellationToken cancellationToken)
    {
        var kind = method.Kind;
        var current = Policy;
        var redactor = EnvRedactor.For(request);
        var containerId = (input["container_id"] as StringValue)?.Text;
        var execId = (input["exec_id"] as StringValue)?.Text;
        void Audit(bool allowed, string? reason, string outcome, string? error = null) =>
            audit.Write(new AuditRecord(DateTimeOffset.UtcNow, kind, containerId, execId, allowed, redactor.Redact(reason), outcome, redactor.Redact(error), current.HostDataHex));

        TtrpcException Denied(string reason)
        {
            Audit(false, reason, "denied");
            return new TtrpcException(StatusCode.PermissionDenied, redactor.Redact($"{kind} is blocked by policy: {reason}")!);
        }

        PolicyDecision Decide()
        {
            try
            {
                // The policy reads what the guest itself set up (and would set up for this request), never the host's claim.
                return current.Session.Evaluate(kind, input, backend.Storages.Document(GuestStorageLedger.PlannedFor(kind, input)));
            }
            catch (RegoException e)
            {
                Audit(false, $"policy evaluation failed: {e.Message}", "denied");
                throw new TtrpcException(StatusCode.PermissionDenied, $"{kind} is blocked by policy: the policy could not be evaluated: {e.Message}");
            }
        }

        if (current.Refusal is { } refusal)
        {
            Audit(false, refusal, "refused");
            throw new TtrpcException(StatusCode.PermissionDenied, $"{kind} is blocked by policy: the agent refuses every request: {refusal}");
        }

        await _stateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var holdingGate = true;
        try
        {
            // Read again under the gate: a SetPolicy another connection completed while this one waited is seen here.
            current = _policy;
            if (current.Refusal is { } refusedNow)
            {
                Audit(false, refusedNow, "refused");
                throw new TtrpcException(StatusCode.PermissionDenied, $"{kind} is blocked by policy: the agent refuses every request: {refusedNow}");
            }

            var decision = Decide();
            if (!decision.Allowed)
            {
                if (kind == nameof(ReadStreamRequest))
                {
                    Audit(false, decision.Reason, "redacted");
                    return new ReadStreamResponse();
                }

                Audit(false, decision.Reason, "denied");
                throw new TtrpcException(StatusCode.PermissionDenied, redactor.Redact(decision.DenialMessage)!);
            }

            if (request is SetPolicyRequest setPolicy)
            {
                if (!current.AwaitingSetPolicy)
                {
                    throw Denied($"the policy with host_data {current.HostDataHex} is bound to HOST_DATA; it is set once and cannot be replaced");
                }

                await InstallFirstPolicyAsync(setPolicy.Policy, cancellationToken).ConfigureAwait(false);
                Audit(true, _policy.Refusal, _policy.Refusal is null ? "executed" : "refused");
                return new Google.Protobuf.WellKnownTypes.Empty();
            }

            var bindsOnce = request is CreateSandboxRequest;
            if (bindsOnce && _sandboxCreated)
            {
                throw Denied("the sandbox was already created; a UVM hosts one sandbox, created once");
            }

            if (backend.NeedsPreparation(request))
            {
                var commits = _commits;
                _stateGate.Release();
                holdingGate = false;
                await PrepareAsync(method, request, current.LayerSources, Audit, redactor, cancellationToken).ConfigureAwait(false);
                await _stateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                holdingGate = true;
                if (_commits != commits)
                {
                    decision = Decide();
                    if (!decision.Allowed)
                    {
                        Audit(false, decision.Reason, "denied");
                        throw new TtrpcException(StatusCode.PermissionDenied, redactor.Redact(decision.DenialMessage)!);
                    }
                }
            }

            if (decision.Ops is ArrayValue { Count: 0 } && !bindsOnce)
            {
                _stateGate.Release();
                holdingGate = false;
            }

            IMessage response;
            try
            {
                response = await backend.ExecuteAsync(method, request, cancellationToken).ConfigureAwait(false);
            }
            catch (RuntimeException e)
            {
                Audit(true, null, "failed", e.Message);
                throw new TtrpcException(e.Code, $"{kind}: {redactor.Redact(e.Message)}");
            }
            catch (OperationCanceledException)
            {
                Audit(true, null, "failed", "cancelled");
                throw;
            }

            if (holdingGate)
            {
                current.Session.Commit(decision);
                _commits++;
                _sandboxCreated |= bindsOnce;
            }

            Audit(true, null, "executed");
            return response;
        }
        finally
        {
            if (holdingGate)
            {
                _stateGate.Release();
            }
        }
    }

    /// <summary>
    /// The backend's long work for an allowed request, outside the state gate and off the connection's
    /// reader thread (opening a layer source can block). A failure is the request's answer.
    /// </summary>
    private async Task PrepareAsync(
        AgentMethod method, IMessage request, Runtime.LayerSourcePolicy layers, Action<bool, string?, string, string?> audit, EnvRedactor redactor, CancellationToken cancellationToken)
    {
        try
        {
            // The request ends at its deadline even if the host keeps a layer source's open or read blocked.
            await Task.Run(() => backend.PrepareAsync(method, request, layers, cancellationToken), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeException e)
        {
            audit(true, null, "failed", e.Message);
            throw new TtrpcException(e.Code, $"{method.Kind}: {redactor.Redact(e.Message)}");
        }
        catch (OperationCanceledException)
        {
            audit(true, null, "failed", "cancelled");
            throw;
        }
    }

    private async Task InstallFirstPolicyAsync(string policyText, CancellationToken cancellationToken)
    {
        var hostData = Parma.Policy.Output.HostData.OfPolicy(policyText);
        PolicyEngine engine;
        try
        {
            engine = PolicyEngine.Load(policyText);
        }
        catch (RegoException e)
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"SetPolicyRequest: the policy does not compile: {e.Message}");
        }

        if (reportProvider is null)
        {
            Volatile.Write(ref _policy, AgentPolicy.Refusing(engine, hostData, "no attestation report provider is configured, so the policy cannot be bound to HOST_DATA"));
        }
        else
        {
            var binding = await HostDataBinding.CheckAsync(hostData, reportProvider, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _policy, binding.Bound ? AgentPolicy.Bound(engine, hostData) : AgentPolicy.Refusing(engine, hostData, binding.Detail));
        }

        _logger.LogInformation("policy set by SetPolicy: host_data {HostData}, {State}", _policy.HostDataHex, _policy.Refusal ?? "bound to HOST_DATA");
    }

    public void Dispose() => _stateGate.Dispose();
}
