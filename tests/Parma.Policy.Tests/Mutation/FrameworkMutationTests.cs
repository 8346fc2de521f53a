using System.Collections.Concurrent;
using System.Diagnostics;
using Parma.Policy.Enforcement;
using Parma.Policy.Framework;
using Parma.Policy.Tests.Attacks;
using Parma.Rego;
using Xunit.Abstractions;

namespace Parma.Policy.Tests.Mutation;

/// <summary>
/// Every check is proven by a test: each mutant of the framework (a check removed, or one of its
/// conditions dropped) is compiled with the policy data of the two attack targets that reach every
/// check (the group with everything open, the Deployment without layer verification) and decides the
/// attack corpus in process (with the guest record cases). A mutant is caught when it allows an attack,
/// denies it for another check than the one the attack names, denies a legitimate request or changes
/// the state a legitimate request leaves; one that nothing catches must be listed in
/// <see cref="EquivalentMutants"/> with the reason it cannot change a decision.
/// </summary>
/// <remarks>
/// Each case is decided in the state the unmutated framework had before it, so cases are independent
/// and are tried in the order of how many mutants they caught so far: most mutants fall to the first
/// case tried, and a target's policy is compiled only when one of its cases is. Listed equivalent
/// mutants are not judged (set PARMA_MUTATION_CHECK_EQUIVALENTS=1 to check that each still survives).
/// </remarks>
public sealed class FrameworkMutationTests(AttackTargets targets, ITestOutputHelper output) : IClassFixture<AttackTargets>
{
    private enum Verdict
    {
        Caught,
        Survived,
        DoesNotCompile,
    }

    /// <summary>
    /// One case of a target's trace with the state before it and, for an allowed case, after it. <paramref name="Guest"/>: the guest's
    /// record of its storages to decide against (<see cref="GuestRecordCase"/>), instead of what the agent's code would set up.
    /// </summary>
    private sealed record Case(int Id, int Target, string Kind, Value Input, bool Allowed, string? Reason, Value Before, Value After, Value? Guest = null);

    private sealed record Corpus(IReadOnlyList<string> PolicyData, IReadOnlyList<Case> Cases);

    [Fact]
    public void Every_weakened_check_is_caught_by_the_attack_corpus()
    {
        var corpus = BuildCorpus();
        var checkEquivalents = Environment.GetEnvironmentVariable("PARMA_MUTATION_CHECK_EQUIVALENTS") == "1";
        var mutants = FrameworkMutator.Mutants(PolicyFramework.Text);
        var judged = mutants.Where(m => checkEquivalents || !EquivalentMutants.Reasons.ContainsKey(m.Id)).ToList();
        var kills = new ConcurrentDictionary<int, int>();
        var stopwatch = Stopwatch.StartNew();
        var verdicts = new ConcurrentDictionary<string, Verdict>(StringComparer.Ordinal);
        Parallel.ForEach(judged, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, m => verdicts[m.Id] = Judge(m.Text, corpus, kills, m.Id));
        stopwatch.Stop();

        var survivors = verdicts.Where(v => v.Value == Verdict.Survived).Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
        var invalid = verdicts.Where(v => v.Value == Verdict.DoesNotCompile).Select(v => v.Key).ToList();
        output.WriteLine($"{mutants.Count} mutants, {judged.Count} judged in {stopwatch.Elapsed.TotalSeconds:F1} s ({stopwatch.Elapsed.TotalMilliseconds / Math.Max(1, judged.Count):F0} ms each on "
            + $"{Environment.ProcessorCount} threads): {verdicts.Count(v => v.Value == Verdict.Caught)} caught, {survivors.Count} survived, {invalid.Count} do not compile, "
            + $"{EquivalentMutants.Reasons.Count} listed as equivalent");
        foreach (var id in invalid.Concat(survivors.Except(EquivalentMutants.Reasons.Keys)).Order(StringComparer.Ordinal))
        {
            output.WriteLine($"{verdicts[id]}: {id}");
        }

        survivors.Except(EquivalentMutants.Reasons.Keys).Order(StringComparer.Ordinal).Should().BeEmpty("every surviving mutant needs an attack that catches it, or a reason why it is equivalent");
        EquivalentMutants.Reasons.Keys.Except(mutants.Select(m => m.Id)).Should().BeEmpty("a mutant listed as equivalent must still exist");
        if (checkEquivalents)
        {
            EquivalentMutants.Reasons.Keys.Except(survivors).Should().BeEmpty("a mutant listed as equivalent that is caught must leave the list");
        }

        invalid.Should().BeEmpty();
        mutants.Count.Should().BeGreaterThan(250);
    }

    [Fact]
    public void The_unmutated_framework_decides_every_case_as_expected()
    {
        var corpus = BuildCorpus();
        Judge(PolicyFramework.Text, corpus, new ConcurrentDictionary<int, int>()).Should().Be(Verdict.Survived);
        corpus.Cases.Should().HaveCountGreaterThan(400);
    }

    /// <summary>Every target's trace, replayed once with the unmutated framework to record the state around each case, and its guest record cases.</summary>
    private Corpus BuildCorpus()
    {
        var all = AttackTargets.Reaching.Select(n => targets[n]).ToList();
        var cases = new List<Case>();
        for (var t = 0; t < all.Count; t++)
        {
            var engine = PolicyEngine.Load(all[t].Policy.PolicyText);
            var session = engine.NewSession();
            var reasons = all[t].Attacks.ToDictionary(a => a.Description, a => a.ExpectedReason);
            var states = new List<Value>();
            foreach (var c in all[t].Trace)
            {
                var input = Value.FromJson(c.Request.ToJsonString());
                var before = session.State;
                states.Add(before);
                var decision = session.Decide(c.Kind, input, explain: false);
                decision.Allowed.Should().Be(c.Allowed, c.Description);
                cases.Add(new Case(cases.Count, t, c.Kind, input, c.Allowed, reasons.GetValueOrDefault(c.Description), before, session.State));
            }

            foreach (var g in GuestRecordCase.For(all[t]))
            {
                var decision = engine.NewSession(states[g.Position]).Evaluate(g.Kind, g.Input, g.Guest, explain: false);
                decision.Allowed.Should().Be(g.ExpectedReason is null, g.Description);
                cases.Add(new Case(cases.Count, t, g.Kind, g.Input, decision.Allowed, g.ExpectedReason, states[g.Position], decision.NewState, g.Guest));
            }
        }

        return new Corpus(all.Select(t => t.PolicyDataText).ToList(), cases);
    }

    /// <summary>Request kinds by the prefix of the checks that decide them.</summary>
    private static readonly Dictionary<string, string> KindOfCheck = new(StringComparer.Ordinal)
    {
        ["sandbox"] = "CreateSandboxRequest", ["create"] = "CreateContainerRequest", ["exec"] = "ExecProcessRequest", ["copy"] = "CopyFileRequest",
        ["interface"] = "UpdateInterfaceRequest", ["route"] = "UpdateRoutesRequest", ["neighbor"] = "AddARPNeighborsRequest",
    };

    /// <summary>
    /// How early a case is tried on a mutant: first the attacks on the mutant's check, then the cases of the
    /// request kind it decides (a dropped condition tends to deny a legitimate one), then the rest.
    /// </summary>
    private static int Affinity(string mutant, Case c)
    {
        var check = System.Text.RegularExpressions.Regex.Match(mutant, @"\[([a-z_]+)\.([a-z_]+):");
        if (check.Success && c.Reason is not null && c.Reason.StartsWith($"{check.Groups[1].Value}.{check.Groups[2].Value}:", StringComparison.Ordinal))
        {
            return 0;
        }

        var kind = check.Success ? KindOfCheck.GetValueOrDefault(check.Groups[1].Value) : null;
        return mutant.Contains(c.Kind, StringComparison.Ordinal) || c.Kind == kind ? 1 : 2;
    }

    /// <summary>Caught at the first case decided differently, trying the likeliest cases first (then those that caught most mutants so far).</summary>
    private static Verdict Judge(string framework, Corpus corpus, ConcurrentDictionary<int, int> kills, string mutant = "")
    {
        var engines = new PolicyEngine?[corpus.PolicyData.Count];
        foreach (var c in corpus.Cases.OrderBy(c => Affinity(mutant, c)).ThenBy(c => c.Target).ThenByDescending(c => kills.GetValueOrDefault(c.Id)).ThenBy(c => c.Id))
        {
            if (engines[c.Target] is null)
            {
                try
                {
                    engines[c.Target] = PolicyEngine.Load(framework.TrimEnd('\n') + "\n" + corpus.PolicyData[c.Target]);
                }
                catch (RegoException)
                {
                    return Verdict.DoesNotCompile;
                }
            }

            if (!Decides(engines[c.Target]!, c))
            {
                kills.AddOrUpdate(c.Id, 1, (_, n) => n + 1);
                return Verdict.Caught;
            }
        }

        return Verdict.Survived;
    }

    /// <summary>
    /// As the unmutated framework did: the same allowed/denied, for an allowed case the same new state, and an attack denied by the
    /// check it names (where two checks refuse the same attack, removing the one that names it is caught by the other's reason).
    /// </summary>
    private static bool Decides(PolicyEngine engine, Case c)
    {
        try
        {
            var session = engine.NewSession(c.Before);
            var explain = c.Reason is not null;
            var decision = c.Guest is { } guest ? session.Evaluate(c.Kind, c.Input, guest, explain) : session.Evaluate(c.Kind, c.Input, explain);
            return decision.Allowed == c.Allowed
                && (!c.Allowed || Equals(decision.NewState, c.After))
                && (c.Reason is null || decision.Reason?.StartsWith(c.Reason, StringComparison.Ordinal) == true);
        }
        catch (RegoException)
        {
            return !c.Allowed; // the agent denies a request whose evaluation fails
        }
    }
}
