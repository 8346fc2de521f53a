using System.Collections.Concurrent;
using Parma.Groups.Inputs;
using Parma.Policy;
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
        GroupInputs groupInputs;
        try
        {
            groupInputs = await inputs.ReadAsync(pod.Namespace, pod.Spec, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (GroupInputException e)
        {
            throw new PolicyInputException(e.Message, e);
        }

        var settings = groupInputs.Settings;
        var manifests = PolicyInputs.Manifests(groupInputs, pod.Namespace);
        var workload = new Workload(0, "Pod", pod.WorkloadName, pod.Namespace, pod.Naming, pod.Template, null);
        var images = inputs.ImagesFor(groupInputs.Credentials);

        return await new PolicyPipeline(settings, images).GenerateAsync(workload, manifests, new GroupPolicyOptions(), CancellationToken.None).ConfigureAwait(false);
    }
}
