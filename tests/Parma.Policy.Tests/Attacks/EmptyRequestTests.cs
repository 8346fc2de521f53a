using System.Text.RegularExpressions;
using Parma.Policy.Enforcement;
using Parma.Policy.Framework;
using Parma.Testing;

namespace Parma.Policy.Tests.Attacks;

/// <summary>
/// Every request kind the framework knows, sent as `{}` (every field left out, as hand-written JSON to
/// `policy explain` may be): refused with a named check's reason, unless its rule reads no field by
/// design (<see cref="UnconditionalRequests"/>) and the policy switches it on. A check that compared a
/// missing field, or built its message from one, used to let such a request through.
/// </summary>
public sealed partial class EmptyRequestTests(AttackTargets targets) : IClassFixture<AttackTargets>
{
    public static TheoryData<string> Targets => [.. AttackTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void An_empty_request_is_refused_with_a_reason_unless_its_rule_reads_no_field(string name)
    {
        var target = targets[name];
        var kinds = DefaultRule().Matches(PolicyFramework.Text).Select(m => m.Groups[1].Value).ToList();
        kinds.Should().Contain(["CreateSandboxRequest", "CreateContainerRequest", "ExecProcessRequest", "CopyFileRequest", "UpdateInterfaceRequest", "UpdateRoutesRequest", "AddARPNeighborsRequest"]);
        var switches = target.Policy.PolicyData["request_defaults"]!.AsObject();

        var wrong = new List<string>();
        foreach (var kind in kinds)
        {
            var decision = PolicyEngine.Load(target.Policy.PolicyText).NewSession().Evaluate(kind, Rego.Value.EmptyObject);
            var unconditional = UnconditionalRequests.AllowsEmpty(kind, switches);
            var hasRule = Regex.IsMatch(PolicyFramework.Text, $@"^{kind} (:=|if)", RegexOptions.Multiline);
            if (decision.Allowed != unconditional)
            {
                wrong.Add($"{kind}: {(decision.Allowed ? "allowed" : decision.Reason)}");
            }
            else if (!decision.Allowed && hasRule && !NamedCheck().IsMatch(decision.Reason!))
            {
                wrong.Add($"{kind}: denied without a named check: {decision.Reason}");
            }
            else if (!decision.Allowed && string.IsNullOrEmpty(decision.Reason))
            {
                wrong.Add($"{kind}: denied without a reason");
            }
        }

        wrong.Should().BeEmpty();
    }

    [GeneratedRegex(@"^default ([A-Za-z]+) := false$", RegexOptions.Multiline)]
    private static partial Regex DefaultRule();

    [GeneratedRegex(@"^[a-z_]+\.[A-Za-z_]+: \S")]
    private static partial Regex NamedCheck();
}
