using System.Text.RegularExpressions;
using Parma.Oci.Digests;

namespace Parma.Oci.References;

/// <summary>
/// A registry image reference, normalised the way containerd and docker do: a name without a registry
/// is on docker.io, a single-component docker.io name is under <c>library/</c>, and a reference with
/// neither tag nor digest means <c>:latest</c>. Both a tag and a digest may be given; the digest wins.
/// </summary>
public sealed partial record ImageReference
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Host and optional port, e.g. <c>docker.io</c>, <c>localhost:5000</c>.</summary>
    public string Registry { get; }

    /// <summary>Path inside the registry, e.g. <c>library/busybox</c>.</summary>
    public string Repository { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>What to ask the registry for: the digest if known, else the tag.</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? DefaultTag;

    /// <summary>The host to contact: Docker Hub's API lives at registry-1.docker.io.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    public string Name => $"{Registry}/{Repository}";

    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, Tag, digest);

    public static ImageReference Parse(string value)
    {
        if (!TryParse(value, out var reference, out var error))
        {
            throw new FormatException(error);
        }

        return reference;
    }

    public static bool TryParse(string? value, out ImageReference reference, out string error)
    {
        reference = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "The image reference is empty.";
            return false;
        }

        var text = value.StartsWith("docker://", StringComparison.Ordinal) ? value["docker://".Length..] : value;
        Digest? digest = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!Digest.TryParse(text[(at + 1)..], out var parsed, out var digestError))
            {
                error = $"Invalid image reference '{value}': {digestError}";
                return false;
            }

            digest = parsed;
            text = text[..at];
        }

        string? tag = null;
        var lastSlash = text.LastIndexOf('/');
        var colon = text.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = text[(colon + 1)..];
            text = text[..colon];
            if (!TagShape().IsMatch(tag))
            {
                error = $"Invalid image reference '{value}': tag '{tag}' must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}.";
                return false;
            }
        }

        var (registry, repository) = SplitRegistry(text);
        if (registry is "index.docker.io" or "registry-1.docker.io")
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        if (!RegistryShape().IsMatch(registry))
        {
            error = $"Invalid image reference '{value}': '{registry}' is not a valid registry host[:port].";
            return false;
        }

        if (repository.Length == 0 || !RepositoryShape().IsMatch(repository))
        {
            error = $"Invalid image reference '{value}': repository '{repository}' must be lowercase path components " +
                    "of letters and digits separated by '.', '_', '__' or dashes.";
            return false;
        }

        if (registry.Length + 1 + repository.Length > 255)
        {
            error = $"Invalid image reference '{value}': the name is longer than 255 characters.";
            return false;
        }

        reference = new ImageReference(registry, repository, digest is null ? tag ?? DefaultTag : tag, digest);
        error = string.Empty;
        return true;
    }

    /// <summary>The first component is a registry if it has a '.' or ':' or is 'localhost' (or is not lowercase).</summary>
    private static (string Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DockerHub, name);
        }

        var first = name[..slash];
        var isHost = first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost" || !string.Equals(first, first.ToLowerInvariant(), StringComparison.Ordinal);
        return isHost ? (first, name[(slash + 1)..]) : (DockerHub, name);
    }

    /// <summary>The fully qualified form, e.g. <c>docker.io/library/busybox:latest</c>.</summary>
    public override string ToString()
    {
        var text = Name;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }

        if (Digest is not null)
        {
            text += "@" + Digest;
        }

        return text;
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagShape();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")]
    private static partial Regex RegistryShape();

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryShape();
}
