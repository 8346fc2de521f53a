using k8s.Models;

namespace Parma.Operator.Pods;

/// <summary>What one reconcile does to a group's pods.</summary>
/// <param name="Replace">Active pods with another host_data, deleted to be recreated under the current policy.</param>
/// <param name="Remove">Pods deleted for other reasons: finished pods, and pods beyond the replica count.</param>
/// <param name="Create">How many pods to create under the current policy.</param>
internal sealed record RolloutPlan(IReadOnlyList<V1Pod> Replace, IReadOnlyList<V1Pod> Remove, int Create);

/// <summary>
/// A rolling update without surge: the group never has more than <c>replicas</c> active pods; pods with
/// an old host_data are replaced (deleted, then recreated), never patched, and only while at least
/// <c>replicas − maxUnavailable</c> pods stay ready. Unready old pods may go at once: they serve nothing.
/// </summary>
internal static class RolloutPlanner
{
    public static RolloutPlan Plan(IReadOnlyList<V1Pod> pods, string hostData, int replicas, int maxUnavailable)
    {
        var remove = pods.Where(p => !PodStates.IsTerminating(p) && PodStates.IsFinished(p)).ToList();
        var active = pods.Where(PodStates.IsActive).ToList();
        var current = active.Where(p => PodStates.HostData(p) == hostData).ToList();
        var old = active.Where(p => PodStates.HostData(p) != hostData).ToList();

        // Too many: old before current, unready before ready, newest first.
        var excess = active.Count - replicas;
        if (excess > 0)
        {
            var victims = old.OrderBy(PodStates.IsReady).ThenByDescending(Created)
                .Concat(current.OrderBy(PodStates.IsReady).ThenByDescending(Created))
                .Take(excess)
                .ToList();
            remove.AddRange(victims);
            old = [.. old.Except(victims)];
            current = [.. current.Except(victims)];
        }

        var replace = old.Where(p => !PodStates.IsReady(p)).ToList();
        var ready = old.Count(PodStates.IsReady) + current.Count(PodStates.IsReady);
        var budget = ready - (replicas - maxUnavailable);
        if (budget > 0)
        {
            replace.AddRange(old.Where(PodStates.IsReady).OrderBy(Created).Take(budget));
        }

        var remaining = old.Count - replace.Count + current.Count;
        return new RolloutPlan(replace, remove, Math.Max(0, replicas - remaining));
    }

    /// <summary>maxUnavailable as a count: an integer, or a percentage of replicas rounded down; at least 1.</summary>
    public static int MaxUnavailable(IntOrString? value, int replicas)
    {
        int count;
        if (value?.Value is not { } text)
        {
            count = 1;
        }
        else if (text.EndsWith('%') && int.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var percent))
        {
            count = replicas * percent / 100;
        }
        else
        {
            count = int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 1;
        }

        return Math.Max(1, count);
    }

    private static DateTime Created(V1Pod pod) => pod.Metadata.CreationTimestamp ?? DateTime.MinValue;
}
