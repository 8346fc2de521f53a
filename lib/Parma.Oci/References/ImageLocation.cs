namespace Parma.Oci.References;

/// <summary>Where an image is: a registry reference, or an offline OCI layout / archive (skopeo-style transports).</summary>
public abstract record ImageLocation
{
    /// <summary>
    /// Parses <c>oci:PATH[:TAG]</c>, <c>oci-archive:PATH[:TAG]</c>, <c>docker-archive:PATH[:REF]</c>, or a
    /// registry reference (optionally prefixed with <c>docker://</c>).
    /// </summary>
    public static ImageLocation Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var (prefix, kind) in new[] { ("oci:", 0), ("oci-archive:", 1), ("docker-archive:", 2) })
        {
            if (!value.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = value[prefix.Length..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            var path = colon < 0 ? rest : rest[..colon];
            var tag = colon < 0 ? null : rest[(colon + 1)..];
            if (path.Length == 0)
            {
                throw new FormatException($"'{value}' names no path after '{prefix}'.");
            }

            if (tag is { Length: 0 })
            {
                tag = null;
            }

            return kind switch
            {
                0 => new OciLayoutLocation(path, tag),
                1 => new OciArchiveLocation(path, tag),
                _ => new DockerArchiveLocation(path, tag),
            };
        }

        return new RegistryLocation(ImageReference.Parse(value));
    }
}

public sealed record RegistryLocation(ImageReference Reference) : ImageLocation
{
    public override string ToString() => Reference.ToString();
}

public sealed record OciLayoutLocation(string Path, string? Tag) : ImageLocation
{
    public override string ToString() => $"oci:{Path}{(Tag is null ? string.Empty : ":" + Tag)}";
}

public sealed record OciArchiveLocation(string Path, string? Tag) : ImageLocation
{
    public override string ToString() => $"oci-archive:{Path}{(Tag is null ? string.Empty : ":" + Tag)}";
}

public sealed record DockerArchiveLocation(string Path, string? Reference) : ImageLocation
{
    public override string ToString() => $"docker-archive:{Path}{(Reference is null ? string.Empty : ":" + Reference)}";
}
