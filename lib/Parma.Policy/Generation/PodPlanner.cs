using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>Resolves a workload's images and plans every container of its pods, pause first (outside the library: <see cref="PolicyPipeline.PlanAsync"/>).</summary>
internal sealed class PodPlanner(PolicySettings settings, IImageFactsSource images)
{
    public async Task<PodPlan> PlanAsync(
        Workload workload,
        ManifestSet manifests,
        GroupPolicyOptions defaults,
        CancellationToken cancellationToken = default)
    {
        var options = GroupPolicyOptions.FromGroupSpec(workload.GroupPolicy, defaults);
        RejectHostNamespaces(workload);

        var initContainers = workload.Spec.Objects("initContainers").ToList();
        var containers = workload.Spec.Objects("containers").ToList();
        if (containers.Count == 0)
        {
            throw new PolicyInputException($"{workload.Kind} {workload.Name}: the pod has no containers.");
        }

        var references = initContainers.Concat(containers)
            .Select(c => c.Str("image") ?? throw new PolicyInputException($"{workload.Kind} {workload.Name}: container {c.Str("name")} has no image."))
            .Append(settings.Runtime.Pause.Image)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var resolved = await Task.WhenAll(references.Select(r => Resolve(workload, r, cancellationToken))).ConfigureAwait(false);
        var facts = references.Zip(resolved).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var planner = new ContainerPlanner(settings, manifests, workload, options);
        var plans = new List<ContainerPlan> { planner.PlanPause(facts[settings.Runtime.Pause.Image]) };
        plans.AddRange(initContainers.Select(c => planner.Plan(c, ContainerRole.Init, facts[c.Str("image")!])));
        plans.AddRange(containers.Select(c => planner.Plan(c, ContainerRole.App, facts[c.Str("image")!])));

        var duplicate = plans.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PolicyInputException($"{workload.Kind} {workload.Name}: container name '{duplicate.Key}' is used twice.");
        }

        return new PodPlan(
            workload,
            PodNames.Pattern(workload),
            workload.Namespace,
            workload.Spec.Bool("shareProcessNamespace") ?? false,
            plans,
            options,
            HostnamePattern(workload));
    }

    /// <summary>
    /// The kubelet's hostname for the pod when the pod chooses it: spec.hostname, or with
    /// setHostnameAsFQDN the fully qualified name in the cluster's (unknown) domain. Null: the pod's name.
    /// </summary>
    private static string? HostnamePattern(Workload workload)
    {
        var hostname = workload.Spec.Str("hostname");
        var subdomain = workload.Spec.Str("subdomain");
        if (workload.Spec.Bool("setHostnameAsFQDN") == true && !string.IsNullOrEmpty(subdomain))
        {
            var host = string.IsNullOrEmpty(hostname) ? $"(?:{PodNames.Pattern(workload)})" : RegexText.Escape(hostname);
            return RegexText.Anchored($@"{host}\.{RegexText.Escape(subdomain)}\.{RegexText.Escape(workload.Namespace)}\.svc\.[a-z0-9.-]+");
        }

        return string.IsNullOrEmpty(hostname) ? null : RegexText.Anchored(RegexText.Escape(hostname));
    }

    private async Task<ImageFacts> Resolve(Workload workload, string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await images.GetAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PolicyInputException)
        {
            throw new PolicyInputException($"{workload.Kind} {workload.Name}: image {reference}: {e.Message}", e);
        }
    }

    private static void RejectHostNamespaces(Workload workload)
    {
        foreach (var field in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            if (workload.Spec.Bool(field) == true)
            {
                throw new PolicyInputException($"{workload.Kind} {workload.Name}: spec.{field} is not supported in a confidential pod.");
            }
        }
    }
}
