using System.Security.Cryptography;
using System.Text;
using Parma.Oci.Resolution;

namespace Parma.Policy.Generation;

/// <summary>
/// Layer names in Kata's tardev format: SHA-256 (hex) of the layer's OCI chain ID (chain IDs as
/// the image spec defines them, computed by Parma.Oci).
/// </summary>
public static class LayerIds
{
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds) => ImageResolver.ChainIds(diffIds);

    public static string LayerId(string chainId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chainId)));
}
