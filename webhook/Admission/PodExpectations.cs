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
/// Works out what a pod must carry. A pod that claims a group (label parma.dev/group, or a controller
/// ownerReference to a ConfidentialPodGroup, which must agree) must carry that group's policy, the group
/// being in the pod's own namespace. In a namespace that opted in (the --namespace-opt-in-label label is
/// "true"), an opted-in pod must carry the policy generated from its own spec, and a pod that brings a
/// policy of its own is refused: those are the only allowed sources. Null for pods Parma does not judge:
/// pods without a group claim in namespaces that did not opt in (whatever they carry), and plain pods.
/// </summary>
public sealed partial class PodExpectations(
    GroupPolicySource groups,
    IClusterView cluster,
    OptInPolicies optIn,
    ParmaSettings settings,
    WebhookOptions options)
{
    public async Task<PodExpectation?> ForAsync(JsonObject pod, string ns, CancellationToken cancellationToken)
    {
        var claim = PodClaim.Of(pod);
        if (claim.Owner is { } owner && claim.GroupName != owner.Name)
        {
            throw new PodRefusedException(DenialReasons.OwnerMismatch, claim.GroupName is null
                ? $"metadata.ownerReferences names ConfidentialPodGroup {owner.Name} as the pod's controller, but the pod has no label {ParmaLabels.Group}; a group's pods carry both"
                : $"metadata.ownerReferences names ConfidentialPodGroup {owner.Name} as the pod's controller, but label {ParmaLabels.Group} names {claim.GroupName}");
        }

        if (claim.GroupName is not null)
        {
            return await ForGroupAsync(pod, ns, claim, cancellationToken).ConfigureAwait(false);
        }

        if (!claim.OptedIn && !claim.CarriesPolicy)
        {
            return null;
        }

        var namespaceObject = await cluster.GetNamespaceAsync(ns, cancellationToken).ConfigureAwait(false);
        if (namespaceObject?.GetLabel(options.NamespaceOptInLabel) != "true")
        {
            // Not ours to judge: nothing in Parma reads a policy from a pod that claims no group, and the
            // webhook configurations do not even send such pods from namespaces that did not opt in.
            return null;
        }

        if (!claim.OptedIn)
        {
            throw OwnPolicy(claim, ns);
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

    /// <summary>The refusal of a pod that brings its own policy into an opted-in namespace: first its host_data, then its source.</summary>
    private PodRefusedException OwnPolicy(PodClaim claim, string ns)
    {
        var allowed = $"in namespace {ns}, which opted in to Parma ({options.NamespaceOptInLabel}=true), a pod's policy comes only from its ConfidentialPodGroup "
            + $"(label {ParmaLabels.Group}) or from the webhook, which generates it from the pod's spec (annotation {ParmaLabels.GeneratePolicy}: \"true\")";
        return CarriedPolicy.HostDataMismatch(claim) is { } mismatch
            ? new PodRefusedException(DenialReasons.Tampered,
                $"the pod carries a policy of its own ({claim.CarriedKeys}) and its host_data is not the hash of it: {mismatch}. Besides, {allowed}.")
            : new PodRefusedException(DenialReasons.OwnPolicy,
                $"the pod carries a policy of its own ({claim.CarriedKeys}), which is not an allowed source: {allowed}. "
                + "Remove the policy annotations, host_data and policy-hash label, or claim a group or opt in.");
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
            policy = await groups.FindAsync(ns, name, claim.HostData, claim.Owner?.Uid, cancellationToken).ConfigureAwait(false);
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

        if (claim.Owner is { } owner && owner.Uid != policy.Group.Metadata.Uid)
        {
            throw new PodRefusedException(DenialReasons.OwnerMismatch,
                $"metadata.ownerReferences names ConfidentialPodGroup {name} with uid {owner.Uid ?? "(none)"}, but {ns}/{name} has uid {policy.Group.Metadata.Uid}");
        }
        return new PodExpectation(
            $"ConfidentialPodGroup {ns}/{name}",
            PodContract.ForGroup(policy.Group, policy.Annotations, settings),
            () => new PreflightSubject(PodTemplate.Of(pod, ns), ParmaApi.Kind, name, policy.PolicySpecJson, policy.PolicyText, policy.HostData, policy.Group.Spec.Policy));
    }

    [GeneratedRegex(Patterns.Dns1123Label)]
    private static partial Regex LabelValue();
}
