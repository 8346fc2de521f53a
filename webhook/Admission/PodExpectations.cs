using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Pods;
using Parma.Policy.Input;
using Parma.Webhook.Generation;
using Parma.Webhook.Groups;

namespace Parma.Webhook.Admission;

/// <summary>
/// Works out what a pod must carry: its group's policy (label parma.dev/group, group in the pod's own
/// namespace), or for an opted-in pod in an enabled namespace a policy generated from its own spec.
/// Null for pods Parma does not manage.
/// </summary>
public sealed partial class PodExpectations(
    GroupPolicySource groups,
    IClusterView cluster,
    OptInPolicies optIn,
    ParmaSettings settings)
{
    public async Task<PodExpectation?> ForAsync(JsonObject pod, string ns, CancellationToken cancellationToken)
    {
        var claim = PodClaim.Of(pod);
        if (claim.GroupName is not null)
        {
            return await ForGroupAsync(pod, ns, claim, cancellationToken).ConfigureAwait(false);
        }

        if (!claim.OptedIn)
        {
            return null;
        }

        var namespaceObject = await cluster.GetNamespaceAsync(ns, cancellationToken).ConfigureAwait(false);
        if (namespaceObject?.GetLabel(ParmaLabels.NamespaceEnabled) != "true")
        {
            return null;
        }

        var template = PodTemplate.Of(pod, ns);
        Policy.Generation.GeneratedPolicy generated;
        try
        {
            generated = await optIn.GetAsync(template, cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyInputException e)
        {
            throw new PodRefusedException(DenialReasons.GenerationFailed, $"no policy could be generated for this pod ({ParmaLabels.GeneratePolicy}: \"true\"): {e.Message}");
        }

        return new PodExpectation(
            "the policy generated from the pod's spec",
            PodContract.ForGenerated(generated.Annotations, claim.RuntimeClassName, settings),
            () => new PreflightSubject(template, "Pod", template.WorkloadName, null, generated.PolicyText, generated.HostDataHex));
    }

    private async Task<PodExpectation> ForGroupAsync(JsonObject pod, string ns, PodClaim claim, CancellationToken cancellationToken)
    {
        var name = claim.GroupName!;
        if (!LabelValue().IsMatch(name))
        {
            throw new PodRefusedException(DenialReasons.ForeignGroup,
                $"label {ParmaLabels.Group}: '{name}' is not a ConfidentialPodGroup name; a pod can only belong to a group in its own namespace ({ns})");
        }

        GroupPolicy? policy;
        try
        {
            policy = await groups.FindAsync(ns, name, claim.HostData, cancellationToken).ConfigureAwait(false);
        }
        catch (GroupPolicyUnavailableException e)
        {
            throw new PodRefusedException(DenialReasons.GroupNotReady, e.Message);
        }

        if (policy is null)
        {
            var elsewhere = cluster.NamespacesWithGroup(name).Where(n => n != ns).ToList();
            if (elsewhere.Count > 0)
            {
                throw new PodRefusedException(DenialReasons.ForeignGroup,
                    $"label {ParmaLabels.Group}: ConfidentialPodGroup {name} is in namespace {string.Join(", ", elsewhere)}, not {ns}; a pod can only belong to a group in its own namespace");
            }

            throw new PodRefusedException(DenialReasons.GroupNotFound,
                $"label {ParmaLabels.Group}: ConfidentialPodGroup {ns}/{name} does not exist");
        }

        return new PodExpectation(
            $"ConfidentialPodGroup {ns}/{name}",
            PodContract.ForGroup(policy.Group, policy.Annotations, settings),
            () => new PreflightSubject(PodTemplate.Of(pod, ns), ParmaApi.Kind, name, policy.PolicySpecJson, policy.PolicyText, policy.HostData, policy.Group.Spec.Policy));
    }

    [GeneratedRegex(Patterns.Dns1123Label)]
    private static partial Regex LabelValue();
}
