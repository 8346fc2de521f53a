using System.Text.Json;
using Parma.Oci.Model;

namespace Parma.Oci.Sources;

internal static class ManifestMediaType
{
    /// <summary>The media type a manifest declares in its body, else the one its descriptor gave, else guessed from its shape.</summary>
    public static string Of(byte[] content, string? declared)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("mediaType", out var mediaType) && mediaType.ValueKind == JsonValueKind.String
                    && !string.IsNullOrEmpty(mediaType.GetString()))
                {
                    return mediaType.GetString()!;
                }

                if (!string.IsNullOrEmpty(declared))
                {
                    return declared;
                }

                if (root.TryGetProperty("manifests", out _))
                {
                    return MediaTypes.OciIndex;
                }

                if (root.TryGetProperty("config", out _))
                {
                    return MediaTypes.OciManifest;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The manifest is not valid JSON: {e.Message}", e);
        }

        return declared ?? string.Empty;
    }
}
