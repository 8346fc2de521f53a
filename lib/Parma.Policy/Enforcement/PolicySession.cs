using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>
/// One sandbox's view of a policy: the policy state (the paper's metadata, `data.pstate`) that
/// allowed requests update through JSON-Patch ops. <see cref="Evaluate"/> decides without changing
/// state; <see cref="Commit"/> keeps the new state once the request has been carried out, so a
/// request that fails after being allowed leaves no trace. <see cref="Decide"/> does both.
/// The agent passes the guest's record of its storages (<c>data.guest</c>) with each request; decided
/// in process (replay, pre-flight, explain), the session keeps the record a Parma agent in a UVM would:
/// what its code sets up for each storage the allowed requests named (<see cref="GuestStorageLedger"/>).
/// </summary>
public sealed class PolicySession
{
    private readonly Lock _lock = new();
    private readonly PolicyEngine _engine;
    private readonly GuestStorageLedger _simulatedGuest = new();
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

    /// <summary>Decides against the record a Parma agent would keep (in process: replay, pre-flight, explain). <paramref name="explain"/>: on a denial, also work out why (a second evaluation).</summary>
    public PolicyDecision Evaluate(string kind, Value input, bool explain = true) =>
        Evaluate(kind, input, _simulatedGuest.Document(GuestStorageLedger.PlannedFor(kind, input)), explain);

    /// <summary>Decides against the guest's own record of its storages (<see cref="GuestStorageLedger.Document"/>), without keeping its state.</summary>
    public PolicyDecision Evaluate(string kind, Value input, Value guest, bool explain = true)
    {
        Value state;
        long version;
        lock (_lock)
        {
            state = _state;
            version = _version;
        }

        var result = _engine.Rule(kind, input, state, guest);
        switch (result)
        {
            case BooleanValue b:
                return b.BoolValue
                    ? new PolicyDecision(kind, true, null, Value.EmptyArray, state, version)
                    : Denied(kind, input, state, guest, version, explain);
            case ObjectValue o when o["allowed"] is BooleanValue allowed:
                if (!allowed.BoolValue)
                {
                    return Denied(kind, input, state, guest, version, explain);
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
            var planned = GuestStorageLedger.PlannedFor(kind, input);
            var decision = Evaluate(kind, input, _simulatedGuest.Document(planned), explain);
            Commit(decision);
            if (decision.Allowed && kind == "DestroySandboxRequest")
            {
                _simulatedGuest.Clear();
            }
            else if (decision.Allowed)
            {
                _simulatedGuest.KeepNew(planned);
            }

            return decision;
        }
    }

    private PolicyDecision Denied(string kind, Value input, Value state, Value guest, long version, bool explain)
    {
        if (!explain)
        {
            return new PolicyDecision(kind, false, null, Value.EmptyArray, state, version);
        }

        string reason;
        try
        {
            reason = _engine.Rule($"denial_reason.{kind}", input, state, guest) is StringValue s ? s.Text : "not allowed by the policy";
        }
        catch (RegoException e)
        {
            reason = $"not allowed by the policy (the reason could not be computed: {e.Detail})";
        }

        return new PolicyDecision(kind, false, reason, Value.EmptyArray, state, version);
    }
}
