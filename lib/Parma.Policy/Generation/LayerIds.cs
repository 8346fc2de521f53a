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

    /// <summary>An image's layers in the overlay's lower-directory order: top-most first.</summary>
    public static IReadOnlyList<TardevLayer> TopMostFirst(ImageFacts image)
    {
        var chainIds = ChainIds(image.Layers.Select(l => l.DiffId).ToList());
        return Enumerable.Range(0, image.Layers.Count).Reverse()
            .Select(i => new TardevLayer(LayerId(chainIds[i]), image.Layers[i].RootHash, image.Layers[i].DiffId) { Size = image.Layers[i].Size })
            .ToList();
    }
}

/// <summary>One image layer as the tardev snapshotter names it, with the size of its tardev image when known.</summary>
public sealed record TardevLayer(string Id, string RootHash, string DiffId)
{
    /// <summary>Bytes of the layer's tardev image padded to 4096-byte blocks, when known.</summary>
    public long? Size { get; init; }
}
