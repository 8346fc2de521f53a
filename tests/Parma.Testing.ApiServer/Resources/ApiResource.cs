using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Resources;

/// <summary>One served resource: REST coordinates and the behaviour switches kube-apiserver has per resource.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public bool HasStatus { get; init; }

    /// <summary>Whether metadata.generation is maintained (bumped on spec changes).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Custom resources: list items carry apiVersion/kind; built-ins do not.</summary>
    public bool IsCustom { get; init; }

    /// <summary>Pods answer DELETE with the object; most resources answer with a Success Status.</summary>
    public bool DeleteReturnsObject { get; init; }

    /// <summary>Validates an object; null when no schema is known.</summary>
    public ObjectSchema? Schema { get; init; }

    /// <summary>A CRD version's openAPIV3Schema as written (served in its /openapi/v3 document).</summary>
    public JsonObject? CustomSchema { get; init; }

    /// <summary>Custom resources with a scale subresource: where spec/status replicas and the selector live.</summary>
    public ScaleSubresource? Scale { get; init; }

    /// <summary>Discovery's singularName (kubectl resolves `kubectl get pod` through it).</summary>
    public string Singular { get; init; } = Kind.ToLowerInvariant();

    /// <summary>Discovery's shortNames (`po`, `cpg`).</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Discovery's categories (`all`, `parma`).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>A CRD version's additionalPrinterColumns; null for built-ins (they get the default table).</summary>
    public IReadOnlyList<PrinterColumn>? PrinterColumns { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"pods" or "deployments.apps": how error messages name the resource.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string StoreKey => $"{Group}/{Plural}";
}

/// <summary>One additionalPrinterColumns entry of a CRD version.</summary>
public sealed record PrinterColumn(string Name, string Type, string? Format, string? Description, int Priority, string JsonPath);

public sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath);
