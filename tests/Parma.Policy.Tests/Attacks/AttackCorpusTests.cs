using System.Text.RegularExpressions;
using Parma.Policy.Enforcement;
using Parma.Policy.Framework;

namespace Parma.Policy.Tests.Attacks;

/// <summary>
/// The attack corpus in process: each attack, sent in the state its place in the pod's life implies, is
/// denied with the expected check and field; each harmless variant is allowed; the pod's life itself is
/// allowed throughout and leaves no state behind.
/// </summary>
public sealed partial class AttackCorpusTests(AttackTargets targets) : IClassFixture<AttackTargets>
{
    public static TheoryData<string> Targets => [.. AttackTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_attack_is_denied_with_its_reason_and_the_life_around_it_is_allowed(string name)
    {
        var target = targets[name];
        var outcomes = TraceReplayer.Replay(PolicyEngine.Load(target.Policy.PolicyText), target.Trace);
        var attacks = target.Attacks.ToDictionary(a => a.Description);

        var wrong = new List<string>();
        foreach (var outcome in outcomes)
        {
            var expected = attacks.TryGetValue(outcome.Case.Description, out var attack) ? attack.ExpectedReason : null;
            if (!outcome.Matches)
            {
                wrong.Add($"{outcome.Case.Description}: {(outcome.Decision.Allowed ? "allowed" : outcome.Decision.Reason)}");
            }
            else if (expected is not null && !outcome.Decision.Reason!.StartsWith(expected, StringComparison.Ordinal))
            {
                wrong.Add($"{outcome.Case.Description}: denied for another reason: {outcome.Decision.Reason}");
            }
        }

        wrong.Should().BeEmpty();
        target.Attacks.Count(a => !a.Allowed).Should().BeGreaterThan(100);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_life_leaves_no_state_behind(string name)
    {
        var target = targets[name];
        var session = PolicyEngine.Load(target.Policy.PolicyText).NewSession();
        foreach (var request in target.Life)
        {
            session.Decide(request.Kind, Rego.Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        foreach (var key in new[] { "containers", "bound", "mount_points" })
        {
            session.State[key].Should().Be(Rego.Value.EmptyObject, key);
        }
    }

    [Fact]
    public void The_open_targets_reach_what_the_examples_switch_off()
    {
        var open = targets["group-open"];
        open.Policy.PolicyData["request_defaults"]!["ReadStreamRequest"]!.GetValue<bool>().Should().BeTrue();
        open.Policy.PolicyData["common"]!["rlimits"]!.AsArray().Should().ContainSingle();
        var hello = open.Plan.Containers.Single(c => c.Name == "hello");
        hello.Mounts.Storages.Should().HaveCount(2).And.OnlyContain(s => s.Options.Contains("fsgid=2000") || s.FsGroup == 2000);
        hello.Mounts.Storages.Select(s => s.Driver).Should().BeEquivalentTo(["ephemeral", "block"], "a memory emptyDir and an encrypted block emptyDir");
        hello.Exec.Terminal.Should().BeTrue();
        targets["deployment-unverified"].Plan.HostnamePattern.Should().Be("^web-host$");
        targets["deployment-unverified"].Policy.PolicyData["common"]!["allow_unencrypted_storage"]!.GetValue<bool>().Should().BeTrue("its emptyDir is a block-plain volume");
    }

    /// <summary>Storage the host names as the policy expects is refused when the guest's own record says it did not protect it.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void Storage_the_guest_did_not_protect_is_refused_whatever_the_request_says(string name)
    {
        var target = targets[name];
        var cases = GuestRecordCase.For(target);
        var engine = PolicyEngine.Load(target.Policy.PolicyText);
        var states = new List<Rego.Value>();
        var session = engine.NewSession();
        foreach (var c in target.Trace)
        {
            states.Add(session.State);
            session.Decide(c.Kind, Rego.Value.FromJson(c.Request.ToJsonString()), explain: false);
        }

        var wrong = new List<string>();
        foreach (var c in cases)
        {
            var decision = engine.NewSession(states[c.Position]).Evaluate(c.Kind, c.Input, c.Guest);
            if (c.ExpectedReason is null ? !decision.Allowed : decision.Allowed || !decision.Reason!.StartsWith(c.ExpectedReason, StringComparison.Ordinal))
            {
                wrong.Add($"{c.Description}: {(decision.Allowed ? "allowed" : decision.Reason)}");
            }
        }

        wrong.Should().BeEmpty();
        cases.Should().Contain(c => c.Kind == "CreateSandboxRequest", "every pod has shared memory");
        if (name == "group-open")
        {
            cases.Select(c => c.ExpectedReason).Should().Contain("create.storage_protection: storages[");
        }

        if (name == "deployment-unverified")
        {
            cases.Should().OnlyContain(c => c.ExpectedReason == null, "its policy allows unencrypted storage");
        }
    }

    /// <summary>Every check the framework can fail with is what some attack is denied for: no check goes untested.</summary>
    [Fact]
    public void Every_check_of_the_framework_is_exercised_by_an_attack()
    {
        var checks = FailureName().Matches(PolicyFramework.Text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        checks.UnionWith(["start.container_id", "container.container_id", "signal.signal", "set_policy", "create.container_name"]);
        var reasons = targets.All.SelectMany(t => t.Attacks).Where(a => !a.Allowed).Select(a => a.ExpectedReason!)
            .Concat(targets.All.SelectMany(GuestRecordCase.For).Select(c => c.ExpectedReason).OfType<string>()).ToList();

        checks.Where(check => !reasons.Any(r => r.StartsWith(check + ":", StringComparison.Ordinal))).Should().BeEmpty();
        checks.Should().HaveCountGreaterThan(40);
    }

    [GeneratedRegex("""(?:failure\((?:idx, )?|_failures\()"([a-z_]+\.[a-z_]+)"[,)]""")]
    private static partial Regex FailureName();
}
