using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// The attack corpus: for a simulated pod's life, every attack of the threat model that applies to it,
/// each a legitimate request with one field changed. The same corpus is replayed in process, over
/// the agent's socket and against mutated frameworks, and `parma policy simulate --attacks` prints it.
/// </summary>
public static class HostAttacks
{
    /// <summary>
    /// The attacks on <paramref name="life"/> (best made with <see cref="KataHostSimulator.PodLife"/> and the
    /// network, so that every request kind has a legitimate original). <paramref name="patternExamples"/>:
    /// argument lists that the container's exec pattern rules allow, to test argument boundaries with.
    /// </summary>
    public static IReadOnlyList<HostAttack> For(
        KataHostSimulator host,
        PodPlan pod,
        JsonObject policyData,
        IReadOnlyList<AgentRequest> life,
        IReadOnlyList<IReadOnlyList<string>>? patternExamples = null)
    {
        var context = new AttackContext(host, pod, policyData, life);
        return
        [
            .. NetworkAttacks.All(context),
            .. SandboxAttacks.All(context),
            .. CopyFileAttacks.All(context),
            .. ContainerAttacks.All(context),
            .. ExecAttacks.All(context, patternExamples ?? []),
            .. LifecycleAttacks.All(context),
            .. EphemeralMountAttacks.All(context),
            .. GuestRequestAttacks.All(context),
            .. EmptyRequestAttacks.All(context),
        ];
    }

    /// <summary>
    /// The life with every case inserted just before the request at its position, as a trace: replayed in
    /// order, each case meets the state its position implies, and denied cases leave the state alone. A
    /// variant that replaces its original is sent in the original's place (one per request at most).
    /// </summary>
    public static IReadOnlyList<TraceCase> Interleave(IReadOnlyList<AgentRequest> life, IReadOnlyList<HostAttack> attacks)
    {
        var byPosition = attacks.ToLookup(a => a.Position);
        var cases = new List<TraceCase>(life.Count + attacks.Count);
        for (var i = 0; i <= life.Count; i++)
        {
            var here = byPosition[i].ToList();
            var replacing = here.Where(a => a.ReplacesOriginal).ToList();
            if (replacing.Count > 1)
            {
                throw new InvalidOperationException($"{replacing.Count} variants replace request {i} ({life[i].Description}); at most one may.");
            }

            cases.AddRange(here.Where(a => !a.ReplacesOriginal).Select(Case));
            if (i < life.Count)
            {
                cases.Add(replacing.Count == 1 ? Case(replacing[0]) : Trace.Allowed(life[i]));
            }
        }

        return cases;
    }

    private static TraceCase Case(HostAttack attack) => new(attack.Description, attack.Allowed, attack.Kind, attack.Request);
}
