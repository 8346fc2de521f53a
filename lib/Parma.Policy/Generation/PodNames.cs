using Parma.Policy.Input;

namespace Parma.Policy.Generation;

/// <summary>The names the pods of a workload get, as an unanchored RE2 pattern.</summary>
public static class PodNames
{
    private const string Suffix = "[a-z0-9]{5}";

    public static string Pattern(Workload workload)
    {
        var name = RegexText.Escape(workload.Name);
        return (workload.Kind, workload.Naming) switch
        {
            (_, PodNaming.Exact) => name,
            (_, PodNaming.Ordinal) => $"{name}-[0-9]+",
            (_, PodNaming.CronJob) => $"{name}-[0-9]+-{Suffix}",
            ("Deployment" or "ConfidentialPodGroup", _) => $"{name}-[a-z0-9]{{1,10}}-{Suffix}",
            _ => $"{name}-{Suffix}",
        };
    }
}
