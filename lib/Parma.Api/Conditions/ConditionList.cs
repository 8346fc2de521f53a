using k8s.Models;

namespace Parma.Api;

/// <summary>meta.SetStatusCondition: set a condition, keeping lastTransitionTime unless the status changed.</summary>
public static class ConditionList
{
    /// <returns>true when anything about the condition changed.</returns>
    public static bool Set(
        List<V1Condition> conditions, string type, bool? status, string reason, string message, long? observedGeneration, DateTimeOffset now)
    {
        var statusText = status switch { true => "True", false => "False", null => "Unknown" };
        var existing = conditions.Find(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type,
                Status = statusText,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = Format(now),
            });
            return true;
        }

        var changed = false;
        if (existing.Status != statusText)
        {
            existing.Status = statusText;
            existing.LastTransitionTime = Format(now);
            changed = true;
        }

        if (existing.Reason != reason || existing.Message != message || existing.ObservedGeneration != observedGeneration)
        {
            existing.Reason = reason;
            existing.Message = message;
            existing.ObservedGeneration = observedGeneration;
            changed = true;
        }

        return changed;
    }

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) =>
        Find(conditions, type)?.Status == "True";

    /// <summary>metav1.Time has whole seconds: drop the rest so that a write and its read-back compare equal.</summary>
    private static DateTime Format(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
