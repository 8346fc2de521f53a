using System.Text.Json.Nodes;

namespace Parma.Webhook.Admission;

/// <summary>The parts of an admission.k8s.io/v1 AdmissionRequest the webhook reads.</summary>
public sealed record AdmissionRequest(
    string Uid,
    string Group,
    string Version,
    string Kind,
    string Operation,
    string Namespace,
    string? Name,
    JsonObject? Object,
    JsonObject? OldObject,
    bool DryRun)
{
    public const string Create = "CREATE";
    public const string Update = "UPDATE";

    /// <summary>group/version/kind as the API names it, e.g. "/v1/Pod" for core pods.</summary>
    public string GroupVersionKind => $"{Group}/{Version}/{Kind}";
}
