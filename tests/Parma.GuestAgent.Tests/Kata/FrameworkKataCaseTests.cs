using Parma.Agent.Protocol;
using Parma.Policy.Enforcement;
using Parma.Rego;
using Parma.Testing;

namespace Parma.GuestAgent.Tests.Kata;

/// <summary>
/// Kata's own test cases for the requests whose rules do not depend on a pod (CopyFile with its
/// symlink cases, UpdateInterface, UpdateRoutes, AddARPNeighbors), decided by OUR framework with the
/// probe group's generated policy: each must be allowed or denied as Kata's genpolicy rules decide it.
/// The fixtures are Kata's (testdata/kata, Apache-2.0, see its NOTICE).
/// </summary>
public sealed class FrameworkKataCaseTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [Theory]
    [InlineData("copyfile")]
    [InlineData("updateinterface")]
    [InlineData("updateroutes")]
    [InlineData("addarpneighbors")]
    public async Task Our_framework_decides_Kata_test_cases_as_Kata_does(string pod)
    {
        var file = RepoPaths.InRepo("tests", "Parma.GuestAgent.Tests", "testdata", "kata", "policy", pod, "testcases.json");
        var cases = Trace.Parse(await File.ReadAllTextAsync(file), $"{pod}/testcases.json");
        var session = PolicyEngine.Load(group.Policy.PolicyText).NewSession();
        cases.Should().NotBeEmpty();
        foreach (var c in cases)
        {
            var input = Value.FromJson(PolicyInput.From(PolicyInputReader.Read(c.Request, AgentMethods.ForKind(c.Kind)!.Request)).ToJsonString());
            var decision = session.Evaluate(c.Kind, input);
            decision.Allowed.Should().Be(c.Allowed, $"{pod}: '{c.Description}' ({decision.Reason})");
        }
    }
}
