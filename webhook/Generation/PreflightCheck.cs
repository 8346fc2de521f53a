using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Policy;
using Parma.Policy.Enforcement;
using Parma.Policy.Input;

namespace Parma.Webhook.Generation;

/// <summary>What a pre-flight runs: a pod (as a template), where its policy comes from, and the policy.</summary>
/// <param name="WorkloadKind">ConfidentialPodGroup for a group's pods (its name fixes the sandbox names), Pod for opted-in pods.</param>
/// <param name="GroupPolicySpec">The group's spec.policy (typed, for its inputs: settingsRef and pull secrets); null for opted-in pods.</param>
public sealed record PreflightSubject(
    PodTemplate Pod,
    string WorkloadKind,
    string WorkloadName,
    JsonObject? GroupPolicy,
    string PolicyText,
    string HostData,
    GroupPolicySpec? GroupPolicySpec = null);

/// <summary>
/// Runs the policy on the requests a correct Kata host sends to start the pod (sandbox, then create and
/// start of every container, with state carried over), as the guest agent will. The first denial is the
/// answer: "&lt;Request&gt; is blocked by policy: &lt;reason&gt;". Compiled policies and outcomes are cached
/// by host_data and pod template, so replicas are checked once.
/// </summary>
public sealed class PreflightCheck(PolicyInputs inputs)
{
    private const int CacheLimit = 2048;
    private readonly ConcurrentDictionary<string, Lazy<PolicyEngine>> _engines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _outcomes = new(StringComparer.Ordinal);

    /// <summary>Null when every request is allowed, else the denial (or why the pod cannot be planned).</summary>
    public async Task<string?> RunAsync(PreflightSubject subject, CancellationToken cancellationToken)
    {
        var key = $"{subject.HostData}/{subject.WorkloadKind}/{subject.WorkloadName}/{subject.Pod.Hash}";
        if (_outcomes.TryGetValue(key, out var known))
        {
            return known;
        }

        var outcome = await CheckAsync(subject, cancellationToken).ConfigureAwait(false);
        if (_outcomes.Count > CacheLimit)
        {
            _outcomes.Clear();
        }

        _outcomes[key] = outcome;
        return outcome;
    }

    private async Task<string?> CheckAsync(PreflightSubject subject, CancellationToken cancellationToken)
    {
        try
        {
            var groupInputs = await inputs.ReadAsync(subject.Pod.Namespace, subject.Pod.Spec, subject.GroupPolicySpec, cancellationToken).ConfigureAwait(false);
            var manifests = PolicyInputs.Manifests(groupInputs, subject.Pod.Namespace);
            var workload = new Workload(0, subject.WorkloadKind, subject.WorkloadName, subject.Pod.Namespace, PodNaming.GeneratedSuffix, subject.Pod.Template, subject.GroupPolicy);
            if (subject.WorkloadKind == "Pod")
            {
                workload = workload with { Naming = subject.Pod.Naming };
            }

            var pipeline = new PolicyPipeline(groupInputs.Settings, inputs.ImagesFor(groupInputs.Credentials));
            return await pipeline.PreflightAsync(workload, manifests, Engine(subject), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PolicyInputException or InvalidDataException or GroupInputException)
        {
            return $"the pod cannot be checked against its policy: {e.Message}";
        }
    }

    private PolicyEngine Engine(PreflightSubject subject)
    {
        if (_engines.Count > 64)
        {
            _engines.Clear();
        }

        return _engines.GetOrAdd(subject.HostData, _ => new Lazy<PolicyEngine>(() => PolicyEngine.Load(subject.PolicyText))).Value;
    }
}
