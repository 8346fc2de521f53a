using System.Security.Cryptography;
using System.Text;
using Parma.Policy.Input;

namespace Parma.Policy.Generation;

/// <summary>
/// The names the pods of a workload get, owned in one place: the unanchored RE2 pattern the policy allows
/// for the sandbox name (<see cref="Pattern"/>), and the names the operator gives a group's pods
/// (<see cref="GroupPodCandidate"/>), which that pattern matches.
/// </summary>
public static class PodNames
{
    private const string Suffix = "[a-z0-9]{5}";

    // Kubernetes' generateName alphabet: no vowels, no look-alikes.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const int SuffixLength = 5;
    private const int HashLength = 10;

    /// <summary>Label values (parma.dev/group) are at most 63 characters, so group names are too.</summary>
    public const int MaxGroupNameLength = 63;

    public static string Pattern(Workload workload)
    {
        var name = RegexText.Escape(workload.Name);
        return (workload.Kind, workload.Naming) switch
        {
            (_, PodNaming.Exact) => name,
            (_, PodNaming.Ordinal) => $"{name}-[0-9]+",
            (_, PodNaming.CronJob) => $"{name}-[0-9]+-{Suffix}",
            ("Deployment" or "ConfidentialPodGroup", _) => $"{name}-[a-z0-9]{{1,{HashLength}}}-{Suffix}",
            _ => $"{name}-{Suffix}",
        };
    }

    /// <summary>
    /// The <paramref name="index"/>-th name for a pod of a group: <c>&lt;group&gt;-&lt;first 10 hex of
    /// host_data&gt;-&lt;5 chars&gt;</c>. The suffix is not random but derived from the group's uid,
    /// host_data and the index, and the operator takes the first one no existing pod uses: an operator
    /// restarted between a create and its watch event lists the pod and picks the same name, or gets
    /// AlreadyExists, but never makes a duplicate.
    /// </summary>
    public static string GroupPodCandidate(string groupName, string groupUid, string hostData, int index)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{groupUid}/{hostData}/{index}"));
        var suffix = new char[SuffixLength];
        for (var i = 0; i < SuffixLength; i++)
        {
            suffix[i] = Alphabet[digest[i] % Alphabet.Length];
        }

        return $"{groupName}-{hostData[..HashLength]}-{new string(suffix)}";
    }

    /// <summary>Candidate names of a group's pods, in order, that are not in <paramref name="taken"/>.</summary>
    public static IEnumerable<string> FreeGroupPodNames(string groupName, string groupUid, string hostData, ISet<string> taken)
    {
        for (var index = 0; ; index++)
        {
            var name = GroupPodCandidate(groupName, groupUid, hostData, index);
            if (!taken.Contains(name))
            {
                yield return name;
            }
        }
    }
}
