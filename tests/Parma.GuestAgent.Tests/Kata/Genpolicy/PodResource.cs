using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>
/// The workload genpolicy makes a policy for: a Pod, or a Deployment's pod template. The containers
/// are the pod's, with the pause container (the cluster's pause image) first and init containers after it.
/// </summary>
internal sealed class PodResource
{
    /// <summary>genpolicy's regex for the random suffix Kubernetes appends to generated names.</summary>
    public const string GeneratedSuffix = "[bcdfghjklmnpqrstvwxz2456789]+";

    private PodResource(JsonObject metadata, JsonObject? podMetadata, JsonObject spec, string? sandboxName, string pauseImage)
    {
        Namespace = metadata.Str("namespace") ?? string.Empty;
        Annotations = podMetadata.StringMap("annotations");
        Labels = podMetadata.StringMap("labels");
        Spec = spec;
        SandboxName = sandboxName;
        var containers = spec.Objects("containers").ToList();
        var pause = new JsonObject
        {
            ["name"] = string.Empty,
            ["image"] = pauseImage,
            ["securityContext"] = new JsonObject { ["readOnlyRootFilesystem"] = true, ["allowPrivilegeEscalation"] = false },
        };
        containers.Insert(0, pause);
        foreach (var init in spec.Objects("initContainers"))
        {
            containers.Insert(1, init);
        }

        Containers = containers;
    }

    public string Namespace { get; }

    public SortedDictionary<string, string>? Annotations { get; }

    public SortedDictionary<string, string>? Labels { get; }

    public JsonObject Spec { get; }

    /// <summary>The sandbox name as a regex body: the name, or the escaped generateName followed by the suffix regex.</summary>
    public string? SandboxName { get; }

    /// <summary>The pause container first.</summary>
    public IReadOnlyList<JsonObject> Containers { get; }

    public JsonObject? SecurityContext => Spec.Obj("securityContext");

    public bool HostNetwork => Spec.Bool("hostNetwork") ?? false;

    public bool ShareProcessNamespace => Spec.Bool("shareProcessNamespace") ?? false;

    public IEnumerable<KeyValuePair<string, string>> Sysctls =>
        SecurityContext.Objects("sysctls").Select(s => KeyValuePair.Create(s.Str("name") ?? string.Empty, s.Str("value") ?? string.Empty));

    public static PodResource From(JsonObject document, string pauseImage)
    {
        var metadata = document.Obj("metadata") ?? [];
        switch (document.Str("kind"))
        {
            case "Pod":
                return new PodResource(metadata, metadata, document.Obj("spec")!, NameRegex(metadata), pauseImage);
            case "Deployment":
                var template = document.Obj("spec")!.Obj("template")!;
                var name = NameRegex(metadata) is { } prefix ? $"{prefix}-{GeneratedSuffix}-{GeneratedSuffix}" : null;
                return new PodResource(metadata, template.Obj("metadata"), template.Obj("spec")!, name, pauseImage);
            default:
                throw new NotSupportedException($"this genpolicy equivalent handles Pod and Deployment, not {document.Str("kind")}");
        }
    }

    private static string? NameRegex(JsonObject metadata) =>
        metadata.Str("name") ?? (metadata.Str("generateName") is { } prefix ? RustRegex.Escape(prefix) + GeneratedSuffix : null);
}

/// <summary>Rust's regex::escape: a backslash before each of the crate's meta characters.</summary>
internal static class RustRegex
{
    public static string Escape(string text) =>
        string.Concat(text.Select(c => @"\.+*?()|[]{}^$#&-~".Contains(c, StringComparison.Ordinal) ? $"\\{c}" : c.ToString()));
}
