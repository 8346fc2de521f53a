using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>
/// One sandbox's view of a policy: the policy state (the paper's metadata, `data.pstate`) that
/// allowed requests update through JSON-Patch ops. <see cref="Evaluate"/> decides without changing
/// state; <see cref="Commit"/> keeps the new state once the request has been carried out, so a
/// request that fails after being allowed leaves no trace. <see cref="Decide"/> does both.
/// </summary>
public sealed class PolicySession
{
    private readonly Lock _lock = new();
    private readonly PolicyEngine _engine;
    private Value _state;
    private long _version;

    internal PolicySession(PolicyEngine engine, Value state)
    {
        _engine = engine;
        _state = state;
    }

    public Value State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Decides a request without keeping its state. <paramref name="explain"/>: on a denial, also work out why (a second evaluation).</summary>
    public PolicyDecision Evaluate(string kind, Value input, bool explain = true)
    {
        Value state;
        long version;
        lock (_lock)
        {
            state = _state;
            version = _version;
        }

        var result = _engine.Rule(kind, input, state);
        switch (result)
        {
            case BooleanValue b:
                return b.BoolValue
                    ? new PolicyDecision(kind, true, null, Value.EmptyArray, state, version)
                    : Denied(kind, input, state, version, explain);
            case ObjectValue o when o["allowed"] is BooleanValue allowed:
                if (!allowed.BoolValue)
                {
                    return Denied(kind, input, state, version, explain);
                }

                var ops = o["ops"] ?? Value.EmptyArray;
                var patched = JsonPatch.Apply(Value.Object([KeyValuePair.Create("pstate", state)]), ops)["pstate"] ?? Value.EmptyObject;
                return new PolicyDecision(kind, true, null, ops, patched, version);
            case null:
                return new PolicyDecision(kind, false, $"the policy has no rule for {kind}", Value.EmptyArray, state, version);
            default:
                return new PolicyDecision(kind, false, $"the policy's {kind} rule gave {result.ToJson()}, not a boolean or {{allowed, ops}}", Value.EmptyArray, state, version);
        }
    }

    /// <summary>Keeps an allowed decision's state. Fails if another decision was committed since it was evaluated.</summary>
    public void Commit(PolicyDecision decision)
    {
        if (!decision.Allowed)
        {
            return;
        }

        lock (_lock)
        {
            if (_version != decision.BaseVersion)
            {
                throw new InvalidOperationException($"{decision.Kind}: the policy state changed while the request was carried out; evaluate it again.");
            }

            _state = decision.NewState;
            _version++;
        }
    }

    /// <summary>Evaluates and commits in one step (for replay and pre-flight, where nothing is carried out).</summary>
    public PolicyDecision Decide(string kind, Value input, bool explain = true)
    {
        lock (_lock)
        {
            var decision = Evaluate(kind, input, explain);
            Commit(decision);
            return decision;
        }
    }

    private PolicyDecision Denied(string kind, Value input, Value state, long version, bool explain)
    {
        if (!explain)
        {
            return new PolicyDecision(kind, false, null, Value.EmptyArray, state, version);
        }

        string reason;
        try
        {
            reason = _engine.Rule($"denial_reason.{kind}", input, state) is StringValue s ? s.Text : "not allowed by the policy";
        }
        catch (RegoException e)
        {
            reason = $"not allowed by the policy (the reason could not be computed: {e.Detail})";
        }

        return new PolicyDecision(kind, false, reason, Value.EmptyArray, state, version);
    }
}
