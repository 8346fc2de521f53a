using Parma.Kube.Models;

namespace Parma.Operator.Pods;

/// <summary>How the operator reads a pod's life cycle.</summary>
internal static class PodStates
{
    public static bool IsTerminating(Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    /// <summary>Ended for good (a pod of a group is meant to run until replaced).</summary>
    public static bool IsFinished(Pod pod) => pod.Status?.Phase is "Failed" or "Succeeded";

    /// <summary>Counts towards the group's replicas: not terminating and not finished.</summary>
    public static bool IsActive(Pod pod) => !IsTerminating(pod) && !IsFinished(pod);

    public static bool IsReady(Pod pod) =>
        IsActive(pod)
        && pod.Status?.Phase == "Running"
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static string? HostData(Pod pod) => pod.Metadata.Annotations?.GetValueOrDefault(Parma.Api.ParmaLabels.HostDataAnnotation);
}
