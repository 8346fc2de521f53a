using System.Security.Cryptography;
using System.Text;

namespace Parma.Policy.Generation;

/// <summary>
/// Layer names in Kata's tardev format: SHA-256 (hex) of the layer's OCI chain ID. The chain ID of
/// the first layer is its diff_id; each next one is "sha256:" + SHA-256("{previous chain id} {diff_id}").
/// </summary>
public static class LayerIds
{
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        var result = new List<string>(diffIds.Count);
        string? previous = null;
        foreach (var diffId in diffIds)
        {
            previous = previous is null
                ? diffId
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{previous} {diffId}")));
            result.Add(previous);
        }

        return result;
    }

    public static string LayerId(string chainId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chainId)));
}
