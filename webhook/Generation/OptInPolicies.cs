using System.Collections.Concurrent;
using Parma.Policy.Generation;
using Parma.Policy.Input;

namespace Parma.Webhook.Generation;

/// <summary>
/// Policies generated at admission for opted-in workloads, from the pod's own spec (images resolved
/// through the layer cache). Cached by the pod template's canonical hash: replicas do not regenerate,
/// and the validating call after the mutating one finds the same policy. Failures are not cached.
/// </summary>
public sealed class OptInPolicies(PolicyInputs inputs)
{
    private const int CacheLimit = 1024;
    private readonly ConcurrentDictionary<string, Lazy<Task<GeneratedPolicy>>> _generated = new(StringComparer.Ordinal);

    private int _generations;

    /// <summary>How many policies were generated (not served from the cache).</summary>
    public int Generations => _generations;

    public async Task<GeneratedPolicy> GetAsync(PodTemplate pod, CancellationToken cancellationToken)
    {
        if (_generated.Count > CacheLimit)
        {
            _generated.Clear();
        }

        var lazy = _generated.GetOrAdd(pod.Hash, _ => new Lazy<Task<GeneratedPolicy>>(() => GenerateAsync(pod)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _generated.TryRemove(KeyValuePair.Create(pod.Hash, lazy));
            throw;
        }
    }

    // Runs to completion even if the admission that asked gives up: the retry finds it done.
    private async Task<GeneratedPolicy> GenerateAsync(PodTemplate pod)
    {
        Interlocked.Increment(ref _generations);
        var settings = inputs.BaseSettings;
        var manifests = await inputs.ReferencedResourcesAsync(pod.Namespace, pod.Spec, CancellationToken.None).ConfigureAwait(false);
        var workload = new Workload(0, "Pod", pod.WorkloadName, pod.Namespace, pod.Naming, pod.Template, null);
        IImageFactsSource images;
        try
        {
            images = await inputs.ImagesForAsync(pod.Namespace, pod.Spec, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new PolicyInputException($"spec.imagePullSecrets: {e.Message}", e);
        }

        var plan = await new PodPlanner(settings, images).PlanAsync(workload, manifests, new GroupPolicyOptions(), CancellationToken.None).ConfigureAwait(false);
        return new PolicyGenerator(settings, images).Render(plan);
    }
}
