namespace Parma.Kube.Resources;

/// <summary>Where a model type lives in the API: group, version, plural resource name and kind.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KubeResourceAttribute(string group, string version, string plural, string kind) : Attribute
{
    public string Group { get; } = group;

    public string Version { get; } = version;

    public string Plural { get; } = plural;

    public string Kind { get; } = kind;

    public bool Namespaced { get; set; } = true;

    public bool HasStatusSubresource { get; set; }
}
