using System.Text.Json.Nodes;
using k8s;
using Parma.Api;
using Parma.Kube.Resources;

namespace Parma.Operator.Reconciliation;

/// <summary>
/// Writes a group's status through the status subresource, only when it changed: a merge patch of the
/// status the operator owns, conditional on the group's resourceVersion (a stale group fails with 409 and
/// the key is retried). Never a PUT of the whole object: fields the operator does not know stay.
/// </summary>
internal static class GroupStatusWriter
{
    public static ConfidentialPodGroupStatus Copy(ConfidentialPodGroupStatus? status) =>
        status is null
            ? new ConfidentialPodGroupStatus()
            : KubernetesJson.Deserialize<ConfidentialPodGroupStatus>(KubernetesJson.Serialize(status));

    /// <summary>The group as stored after the write (the same object when nothing changed).</summary>
    public static async Task<ConfidentialPodGroup> WriteAsync(
        IKubernetes client, ConfidentialPodGroup group, ConfidentialPodGroupStatus status, CancellationToken cancellationToken)
    {
        var written = KubernetesJson.Serialize(status);
        if (group.Status is not null && written == KubernetesJson.Serialize(group.Status))
        {
            return group;
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = group.Metadata.ResourceVersion },
            ["status"] = JsonNode.Parse(written),
        };
        return await client.Resource<ConfidentialPodGroup>()
            .PatchStatusAsync(group.Metadata.Name!, group.Metadata.NamespaceProperty, KubePatch.Merge(patch), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }
}
