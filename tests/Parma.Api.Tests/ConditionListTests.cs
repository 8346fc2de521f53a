using k8s;
using k8s.Models;

namespace Parma.Api.Tests;

public sealed class ConditionListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Transition_time_moves_only_when_the_status_changes()
    {
        var conditions = new List<V1Condition>();
        ConditionList.Set(conditions, GroupConditions.PolicyReady, true, "PolicyGenerated", "ok", 1, T0).Should().BeTrue();
        ConditionList.Set(conditions, GroupConditions.PolicyReady, true, "PolicyGenerated", "ok", 1, T0.AddMinutes(1)).Should().BeFalse();
        ConditionList.Set(conditions, GroupConditions.PolicyReady, true, "PolicyGenerated", "new message", 2, T0.AddMinutes(2)).Should().BeTrue();
        KubernetesJson.Serialize(conditions.Single()).Should().Contain("\"lastTransitionTime\":\"2026-11-21T10:00:00Z\"");

        ConditionList.Set(conditions, GroupConditions.PolicyReady, false, "ImageResolutionFailed", "no such tag", 2, T0.AddMinutes(3)).Should().BeTrue();
        KubernetesJson.Serialize(conditions.Single()).Should().Contain("\"lastTransitionTime\":\"2026-11-21T10:03:00Z\"");
        ConditionList.IsTrue(conditions, GroupConditions.PolicyReady).Should().BeFalse();
    }
}
