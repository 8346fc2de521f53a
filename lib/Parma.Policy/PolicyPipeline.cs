using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;

namespace Parma.Policy;

/// <summary>
/// The policy library's one entry for hosts (operator, webhook, key release, CLI): plan a workload, render
/// its policy, and pre-flight a pod against a policy, all from structured input (a <see cref="ManifestSet"/>
/// built from JSON objects with <see cref="ManifestSet.From"/>; text is the CLI's adapter,
/// <see cref="ManifestSet.Parse"/>). Planning, rendering and the simulated Kata host are the same
/// steps <c>parma policy generate</c> and the guest agent's tests use.
/// </summary>
public sealed class PolicyPipeline(PolicySettings settings, IImageFactsSource images)
{
    public PolicySettings Settings => settings;

    /// <summary>What the workload's pods run: containers, images with their layers, mounts, environment, options.</summary>
    public Task<PodPlan> PlanAsync(Workload workload, ManifestSet manifests, GroupPolicyOptions defaults, CancellationToken cancellationToken = default) =>
        new PodPlanner(settings, images).PlanAsync(workload, manifests, defaults, cancellationToken);

    /// <summary>The policy that allows exactly the plan's pods (text, annotations, host_data).</summary>
    public GeneratedPolicy Render(PodPlan plan) => new PolicyGenerator(settings, images).Render(plan);

    /// <summary>Plan, then render.</summary>
    public async Task<GeneratedPolicy> GenerateAsync(Workload workload, ManifestSet manifests, GroupPolicyOptions defaults, CancellationToken cancellationToken = default) =>
        Render(await PlanAsync(workload, manifests, defaults, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Runs <paramref name="policy"/> on the requests a correct Kata host sends to start the workload's pod
    /// (sandbox, then create and start of every container, with policy state carried over), as the guest
    /// agent will. Null when every request is allowed, else the first denial:
    /// "&lt;Request&gt; is blocked by policy: &lt;reason&gt; (pre-flight: &lt;step&gt;)".
    /// </summary>
    /// <exception cref="PolicyInputException">The pod cannot be planned (its inputs are wrong or missing).</exception>
    public async Task<string?> PreflightAsync(Workload workload, ManifestSet manifests, PolicyEngine policy, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(workload, manifests, new GroupPolicyOptions(), cancellationToken).ConfigureAwait(false);
        var session = policy.NewSession();
        foreach (var request in new KataHostSimulator(settings, plan, "parma-preflight").StartPod())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var decision = session.Decide(request.Kind, Rego.Value.FromJson(request.Input.ToJsonString()));
            if (!decision.Allowed)
            {
                return $"{decision.DenialMessage} (pre-flight: {request.Description})";
            }
        }

        return null;
    }
}
