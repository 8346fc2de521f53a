namespace Parma.Kube.Resources;

/// <summary>A resource's REST coordinates.</summary>
public sealed record ResourceInfo(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"/api/v1" for the core group, "/apis/{group}/{version}" otherwise.</summary>
    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    public string CollectionPath(string? ns)
    {
        if (Namespaced && !string.IsNullOrEmpty(ns))
        {
            return $"{GroupVersionPath}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}";
        }

        if (Namespaced && ns is null)
        {
            // All namespaces.
            return $"{GroupVersionPath}/{Plural}";
        }

        if (Namespaced)
        {
            throw new ArgumentException($"{Kind} is namespaced; give a namespace (or null for all namespaces when listing).");
        }

        return $"{GroupVersionPath}/{Plural}";
    }

    public string ObjectPath(string? ns, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"A {Kind} name is required.", nameof(name));
        }

        if (Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"{Kind} is namespaced; a namespace is required.", nameof(ns));
        }

        return $"{CollectionPath(Namespaced ? ns : null)}/{Uri.EscapeDataString(name)}";
    }
}
