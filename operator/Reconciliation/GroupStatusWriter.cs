using System.Text.Json;
using Parma.Api;
using Parma.Kube.Client;

namespace Parma.Operator.Reconciliation;

/// <summary>Writes a group's status through the status subresource, only when it changed, with optimistic concurrency.</summary>
internal static class GroupStatusWriter
{
    public static ConfidentialPodGroupStatus Copy(ConfidentialPodGroupStatus? status) =>
        status is null
            ? new ConfidentialPodGroupStatus()
            : JsonSerializer.Deserialize<ConfidentialPodGroupStatus>(JsonSerializer.Serialize(status, ParmaJson.Options), ParmaJson.Options)!;

    /// <summary>The group as stored after the write (the same object when nothing changed). A stale group fails with 409.</summary>
    public static async Task<ConfidentialPodGroup> WriteAsync(
        IKubernetesClient client, ConfidentialPodGroup group, ConfidentialPodGroupStatus status, CancellationToken cancellationToken)
    {
        if (JsonSerializer.Serialize(status, ParmaJson.Options) == JsonSerializer.Serialize(group.Status, ParmaJson.Options))
        {
            return group;
        }

        group.Status = status;
        return await client.ReplaceStatusAsync(group, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
