using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>The outcome of one replayed case.</summary>
public sealed record ReplayOutcome(TraceCase Case, PolicyDecision Decision)
{
    public bool Matches => Decision.Allowed == Case.Allowed;
}

/// <summary>Replays a trace in order against one session, so that state carries over from case to case.</summary>
public static class TraceReplayer
{
    public static IReadOnlyList<ReplayOutcome> Replay(PolicyEngine engine, IEnumerable<TraceCase> cases)
    {
        var session = engine.NewSession();
        return cases.Select(c => new ReplayOutcome(c, session.Decide(c.Kind, Value.FromJson(c.Request.ToJsonString())))).ToList();
    }
}
