using System.Globalization;
using System.Text.Json.Nodes;
using Parma.Policy.Input;

namespace Parma.Policy.Generation;

/// <summary>The user a container process runs as.</summary>
public sealed record ProcessUser(long Uid, long Gid, IReadOnlyList<long> AdditionalGids)
{
    /// <summary>
    /// runAsUser/runAsGroup from the container's securityContext, else the pod's, else the image's
    /// USER (numeric `uid[:gid]`, or `root`). Named users need the image's /etc/passwd and are
    /// refused with a message that says how to pin them.
    /// </summary>
    public static ProcessUser Resolve(Workload workload, JsonObject container, string imageUser)
    {
        var containerContext = container.Obj("securityContext");
        var podContext = workload.Spec.Obj("securityContext");
        var (imageUid, imageGid) = ParseImageUser(workload, container, imageUser);
        var uid = containerContext.Int("runAsUser") ?? podContext.Int("runAsUser") ?? imageUid;
        var gid = containerContext.Int("runAsGroup") ?? podContext.Int("runAsGroup") ?? imageGid;

        var groups = new SortedSet<long> { gid };
        foreach (var supplemental in podContext.Arr("supplementalGroups"))
        {
            if (supplemental is JsonValue v && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g))
            {
                groups.Add(g);
            }
        }

        if (podContext.Int("fsGroup") is { } fsGroup)
        {
            groups.Add(fsGroup);
        }

        return new ProcessUser(uid, gid, groups.ToList());
    }

    private static (long Uid, long Gid) ParseImageUser(Workload workload, JsonObject container, string user)
    {
        if (string.IsNullOrEmpty(user) || user == "root")
        {
            return (0, 0);
        }

        var parts = user.Split(':', 2);
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            if (parts[0] == "root")
            {
                uid = 0;
            }
            else if (container.Obj("securityContext").Int("runAsUser") is null && workload.Spec.Obj("securityContext").Int("runAsUser") is null)
            {
                throw new PolicyInputException(
                    $"{workload.Kind} {workload.Name}: container {container.Str("name")}: the image runs as user '{user}'; set securityContext.runAsUser (and runAsGroup) to pin its numeric ids.");
            }
        }

        long gid = 0;
        if (parts.Length == 2 && !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out gid) && parts[1] != "root"
            && container.Obj("securityContext").Int("runAsGroup") is null && workload.Spec.Obj("securityContext").Int("runAsGroup") is null)
        {
            throw new PolicyInputException(
                $"{workload.Kind} {workload.Name}: container {container.Str("name")}: the image runs as group '{parts[1]}'; set securityContext.runAsGroup to pin its numeric id.");
        }

        return (uid, gid);
    }
}
