using Parma.Policy.Generation;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Pods;

namespace Parma.Operator.Tests;

public sealed class RolloutPlannerTests
{
    private const string Old = "old";
    private const string New = "new";

    [Fact]
    public void An_empty_group_creates_all_replicas()
    {
        var plan = RolloutPlanner.Plan([], New, replicas: 3, maxUnavailable: 1);
        plan.Create.Should().Be(3);
        plan.Replace.Should().BeEmpty();
    }

    [Fact]
    public void Ready_old_pods_are_replaced_only_within_max_unavailable()
    {
        var pods = new[] { Pod("a", Old, ready: true), Pod("b", Old, ready: true), Pod("c", Old, ready: true) };
        var plan = RolloutPlanner.Plan(pods, New, replicas: 3, maxUnavailable: 1);
        plan.Replace.Should().ContainSingle().Which.Metadata.Name.Should().Be("a", "the oldest goes first");
        plan.Create.Should().Be(1);

        var midway = new[] { Pod("b", Old, ready: true), Pod("c", Old, ready: true), Pod("n1", New, ready: false) };
        RolloutPlanner.Plan(midway, New, 3, 1).Should().BeEquivalentTo(new RolloutPlan([], [], 0), "the new pod must be ready first");

        var next = new[] { Pod("b", Old, ready: true), Pod("c", Old, ready: true), Pod("n1", New, ready: true) };
        RolloutPlanner.Plan(next, New, 3, 1).Replace.Select(p => p.Metadata.Name).Should().Equal("b");
    }

    [Fact]
    public void Unready_old_pods_go_at_once_and_finished_pods_are_removed()
    {
        var pods = new[] { Pod("a", Old, ready: false), Pod("b", Old, ready: false), Pod("c", New, ready: true, phase: "Failed") };
        var plan = RolloutPlanner.Plan(pods, New, replicas: 2, maxUnavailable: 1);
        plan.Replace.Select(p => p.Metadata.Name).Should().BeEquivalentTo(["a", "b"]);
        plan.Remove.Select(p => p.Metadata.Name).Should().Equal("c");
        plan.Create.Should().Be(2);
    }

    [Fact]
    public void Scaling_down_removes_old_and_unready_pods_first()
    {
        var pods = new[] { Pod("a", New, ready: true), Pod("b", New, ready: false), Pod("c", Old, ready: true), Pod("d", New, ready: true) };
        var plan = RolloutPlanner.Plan(pods, New, replicas: 2, maxUnavailable: 1);
        plan.Remove.Select(p => p.Metadata.Name).Should().Equal("c", "b");
        plan.Create.Should().Be(0);
    }

    [Fact]
    public void Terminating_pods_do_not_count()
    {
        var terminating = Pod("a", New, ready: true);
        terminating.Metadata.DeletionTimestamp = DateTime.UtcNow;
        RolloutPlanner.Plan([terminating], New, replicas: 1, maxUnavailable: 1).Create.Should().Be(1);
    }

    [Theory]
    [InlineData("", 4, 1)]
    [InlineData("int:2", 4, 2)]
    [InlineData("int:0", 4, 1)]
    [InlineData("50%", 4, 2)]
    [InlineData("30%", 4, 1)]
    [InlineData("10%", 4, 1)]
    [InlineData("100%", 3, 3)]
    public void Max_unavailable_is_a_count_or_a_percentage_rounded_down_and_at_least_one(string value, int replicas, int expected)
    {
        IntOrString? parsed = value switch
        {
            "" => (IntOrString?)null,
            _ when value.StartsWith("int:", StringComparison.Ordinal) => (IntOrString)int.Parse(value[4..], System.Globalization.CultureInfo.InvariantCulture),
            _ => (IntOrString)value,
        };
        RolloutPlanner.MaxUnavailable(parsed, replicas).Should().Be(expected);
    }

    [Fact]
    public void Pod_names_match_the_policy_sandbox_pattern_and_are_stable()
    {
        var hostData = new string('a', 64);
        var name = PodNames.GroupPodCandidate("web", "uid-1", hostData, 0);
        var workload = new Parma.Policy.Input.Workload(0, "ConfidentialPodGroup", "web", "default", Parma.Policy.Input.PodNaming.GeneratedSuffix, [], null);
        name.Should().MatchRegex($"^{PodNames.Pattern(workload)}$", "the policy allows the sandbox names the operator gives");
        name.Should().StartWith("web-aaaaaaaaaa-");
        PodNames.GroupPodCandidate("web", "uid-1", hostData, 0).Should().Be(name, "a restarted operator derives the same name");
        PodNames.GroupPodCandidate("web", "uid-1", hostData, 1).Should().NotBe(name);
        PodNames.FreeGroupPodNames("web", "uid-1", hostData, new HashSet<string> { name }).First().Should().Be(PodNames.GroupPodCandidate("web", "uid-1", hostData, 1));
    }

    private static V1Pod Pod(string name, string hostData, bool ready, string phase = "Running") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Uid = name,
            CreationTimestamp = DateTime.UnixEpoch.AddMinutes(name[0]),
            Annotations = new Dictionary<string, string> { [ParmaLabels.HostDataAnnotation] = hostData },
        },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };
}
