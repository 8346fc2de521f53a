using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Groups.Pods;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;

namespace Parma.Operator.Policy;

/// <summary>
/// Pins a group's images by digest, then generates its policy for the pinned references through the
/// same path as <c>parma policy generate</c> (the group as a JSON object → ManifestSet → PolicyPipeline), so that the policy and the
/// pods name the same images. The last result per group is kept while its inputs are unchanged.
/// </summary>
internal sealed class GroupPolicyBuilder(GroupImageResolver images)
{
    private readonly ConcurrentDictionary<string, (string Fingerprint, GroupPolicy Policy)> _last = new(StringComparer.Ordinal);

    /// <param name="group">The group.</param>
    /// <param name="inputs">Its settings, referenced ConfigMaps and Secrets and pull-secret credentials (<see cref="GroupInputsReader"/>).</param>
    /// <param name="cancellationToken">Cancels image resolution and generation.</param>
    public async Task<GroupPolicy> BuildAsync(ConfidentialPodGroup group, GroupInputs inputs, CancellationToken cancellationToken)
    {
        var ns = group.Metadata.NamespaceProperty ?? "default";
        var name = group.Metadata.Name ?? throw new ArgumentException("The group has no name.", nameof(group));
        var spec = group.Spec.Template.Spec
            ?? throw new GroupPolicyException(GroupConditions.Reasons.InvalidSpec, "spec.template.spec is missing; add the pod's containers.", retry: false);
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        if (spec.Containers is not { Count: > 0 })
        {
            throw new GroupPolicyException(GroupConditions.Reasons.InvalidSpec, "spec.template.spec.containers is empty; a group needs at least one container.", retry: false);
        }

        var missingImage = containers.FirstOrDefault(c => string.IsNullOrWhiteSpace(c.Image));
        if (missingImage is not null)
        {
            throw new GroupPolicyException(GroupConditions.Reasons.InvalidSpec, $"container '{missingImage.Name}' has no image; set spec.template.spec.containers[].image.", retry: false);
        }

        var policySettings = inputs.Settings;
        var templateImages = containers.Select(c => c.Image!).Distinct(StringComparer.Ordinal).ToList();
        var pause = policySettings.Runtime.Pause.Image;
        var facts = await images.ResolveAsync([.. templateImages, pause], inputs.Credentials, cancellationToken).ConfigureAwait(false);
        var pinned = templateImages.ToDictionary(r => r, r => facts[r].PinnedReference, StringComparer.Ordinal);

        var manifest = PinnedManifest(group, pinned);
        var fingerprint = Fingerprint(manifest, inputs, facts[pause].PinnedReference);
        var key = $"{ns}/{name}";
        if (_last.TryGetValue(key, out var last) && last.Fingerprint == fingerprint)
        {
            return last.Policy;
        }

        GeneratedPolicy generated;
        try
        {
            var manifests = ManifestSet.From([manifest], $"ConfidentialPodGroup {ns}/{name}", ns);
            manifests.AddReferencedResources(inputs.ReferencedResources, ns);

            var byReference = new Dictionary<string, ImageFacts>(StringComparer.Ordinal) { [pause] = facts[pause] };
            foreach (var reference in templateImages)
            {
                byReference[pinned[reference]] = facts[reference];
            }

            var pipeline = new PolicyPipeline(policySettings, new PinnedImageFacts(byReference));
            generated = await pipeline.GenerateAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions(), cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyInputException e)
        {
            throw new GroupPolicyException(GroupConditions.Reasons.GenerationFailed, $"the policy could not be generated: {e.Message}", retry: false, e);
        }

        var templateAnnotationBytes = (group.Spec.Template.Metadata?.Annotations ?? new Dictionary<string, string>())
            .Where(a => !PodContract.AnnotationKeys.Contains(a.Key))
            .Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
        var total = generated.Annotations.SizeBytes + templateAnnotationBytes;
        if (total > PolicyAnnotations.AnnotationBudgetBytes)
        {
            var advice = generated.Format == PolicyFormat.AgentPolicy
                ? "Set spec.policy.format: initdata (the policy is gzipped), or allow fewer exec commands and environment variables."
                : "Allow fewer exec commands and environment variables, or split the group.";
            throw new GroupPolicyException(
                GroupConditions.Reasons.PolicyTooLarge,
                $"the pod annotations would take {total / 1024.0:F1} KiB (policy annotation {generated.Annotations.Key}: {generated.Annotations.SizeBytes / 1024.0:F1} KiB), over the {PolicyAnnotations.AnnotationBudgetBytes / 1024} KiB Kubernetes allows for all annotations of a pod. {advice}",
                retry: false);
        }

        var policy = new GroupPolicy(
            generated.PolicyText,
            generated.Format == PolicyFormat.InitData ? GroupPolicySpec.InitDataFormat : GroupPolicySpec.AgentPolicyFormat,
            generated.Annotations,
            pinned,
            [.. templateImages.Select(r => ToStatus(r, facts[r]))],
            generated.Warnings);
        _last[key] = (fingerprint, policy);
        return policy;
    }

    /// <summary>Drops the remembered policy of a deleted group.</summary>
    public void Forget(string ns, string name) => _last.TryRemove($"{ns}/{name}", out _);

    private static ImageStatus ToStatus(string reference, ImageFacts facts)
    {
        var at = facts.PinnedReference.LastIndexOf('@');
        return new ImageStatus
        {
            Reference = reference,
            Digest = at < 0 ? "" : facts.PinnedReference[(at + 1)..],
            Pinned = facts.PinnedReference,
            Layers = [.. facts.Layers.Select(l => new LayerStatus { DiffId = l.DiffId, RootHash = l.RootHash })],
        };
    }

    /// <summary>The group as the generator reads it (kind, name, namespace, spec), with every image pinned by digest.</summary>
    private static JsonObject PinnedManifest(ConfidentialPodGroup group, IReadOnlyDictionary<string, string> pinned)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(group))!.AsObject();
        node.Remove("status");
        node["metadata"] = new JsonObject { ["name"] = group.Metadata.Name, ["namespace"] = group.Metadata.NamespaceProperty };
        var podSpec = node["spec"]?["template"]?["spec"];
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in podSpec?[list]?.AsArray().OfType<JsonObject>() ?? [])
            {
                if (container["image"]?.GetValue<string>() is { } image && pinned.TryGetValue(image, out var digestRef))
                {
                    container["image"] = digestRef;
                }
            }
        }

        return node;
    }

    private static string Fingerprint(JsonObject manifest, GroupInputs inputs, string pinnedPause)
    {
        var text = string.Join("\n\u0000", manifest.ToJsonString(), inputs.Fingerprint, pinnedPause);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
