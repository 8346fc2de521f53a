using k8s.Models;

namespace Parma.Operator.Pods;

/// <summary>How the operator reads a pod's life cycle.</summary>
internal static class PodStates
{
    public static bool IsTerminating(V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    /// <summary>Ended for good (a pod of a group is meant to run until replaced).</summary>
    public static bool IsFinished(V1Pod pod) => pod.Status?.Phase is "Failed" or "Succeeded";

    /// <summary>Counts towards the group's replicas: not terminating and not finished.</summary>
    public static bool IsActive(V1Pod pod) => !IsTerminating(pod) && !IsFinished(pod);

    public static bool IsReady(V1Pod pod) =>
        IsActive(pod)
        && pod.Status?.Phase == "Running"
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Waiting reasons of a container that will not start without a change (the kubelet's back-off and pull/create errors).</summary>
    public static readonly IReadOnlySet<string> FailingWaitReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName",
        "CreateContainerError", "CreateContainerConfigError", "RunContainerError", "PreStartHookError", "PostStartHookError",
    };

    /// <summary>
    /// Why the pod is failing, for a person to read ("web-0: Failed (Evicted: …)", "web-1: container app CrashLoopBackOff"),
    /// or null when it is not: in phase Failed, or a container waiting for one of <see cref="FailingWaitReasons"/>.
    /// </summary>
    public static string? Failure(V1Pod pod)
    {
        if (IsTerminating(pod))
        {
            return null;
        }

        var name = pod.Metadata.Name;
        if (pod.Status?.Phase == "Failed")
        {
            var why = string.Join(": ", new[] { pod.Status.Reason, pod.Status.Message }.Where(t => !string.IsNullOrWhiteSpace(t)));
            return why.Length == 0 ? $"{name}: Failed" : $"{name}: Failed ({Shorten(why)})";
        }

        var waiting = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Where(c => c.State?.Waiting?.Reason is { } reason && FailingWaitReasons.Contains(reason))
            .Select(c => string.IsNullOrWhiteSpace(c.State!.Waiting!.Message)
                ? $"container {c.Name} {c.State.Waiting.Reason}"
                : $"container {c.Name} {c.State.Waiting.Reason} ({Shorten(c.State.Waiting.Message)})")
            .ToList();
        return waiting.Count == 0 ? null : $"{name}: {string.Join(", ", waiting)}";
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";

    public static string? HostData(V1Pod pod) => pod.GetAnnotation(Parma.Api.ParmaLabels.HostDataAnnotation);
}
