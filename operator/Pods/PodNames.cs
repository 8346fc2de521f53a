using System.Security.Cryptography;
using System.Text;

namespace Parma.Operator.Pods;

/// <summary>
/// Names of a group's pods: <c>&lt;group&gt;-&lt;first 10 hex of host_data&gt;-&lt;5 chars&gt;</c>, which is the
/// sandbox-name pattern the generated policy accepts (<c>name-[a-z0-9]{1,10}-[a-z0-9]{5}</c>). The suffix
/// is not random but the k-th of a sequence derived from the group's uid and host_data, and the operator
/// takes the first one no existing pod uses: an operator restarted between a create and its watch event
/// lists the pod and picks the same name, or gets AlreadyExists, but never makes a duplicate.
/// </summary>
internal static class PodNames
{
    // Kubernetes' generateName alphabet: no vowels, no look-alikes.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const int SuffixLength = 5;
    private const int HashLength = 10;

    /// <summary>Label values (parma.dev/group) are at most 63 characters.</summary>
    public const int MaxGroupNameLength = 63;

    public static string Candidate(string groupName, string groupUid, string hostData, int index)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{groupUid}/{hostData}/{index}"));
        var suffix = new char[SuffixLength];
        for (var i = 0; i < SuffixLength; i++)
        {
            suffix[i] = Alphabet[digest[i] % Alphabet.Length];
        }

        return $"{groupName}-{hostData[..HashLength]}-{new string(suffix)}";
    }

    /// <summary>The first <paramref name="count"/> candidate names that are not in <paramref name="taken"/>.</summary>
    public static IEnumerable<string> Free(string groupName, string groupUid, string hostData, ISet<string> taken)
    {
        for (var index = 0; ; index++)
        {
            var name = Candidate(groupName, groupUid, hostData, index);
            if (!taken.Contains(name))
            {
                yield return name;
            }
        }
    }
}
