using System.Text.Json.Nodes;

namespace Parma.Webhook.Admission;

/// <summary>What the webhook answers: allowed (optionally with a JSONPatch) or denied with a message.</summary>
/// <param name="Reason">A short, fixed identifier of why a request was denied (the parma_webhook_denials_total label).</param>
public sealed record AdmissionResult(bool Allowed, string? Message, int? Code, JsonArray? Patch, string? Reason, IReadOnlyList<string> Warnings)
{
    public static AdmissionResult Allow(IReadOnlyList<string>? warnings = null) => new(true, null, null, null, null, warnings ?? []);

    public static AdmissionResult AllowWithPatch(JsonArray patch, IReadOnlyList<string>? warnings = null) =>
        patch.Count == 0 ? Allow(warnings) : new(true, null, null, patch, null, warnings ?? []);

    /// <summary>A refusal; <paramref name="reason"/> is a metric label, <paramref name="message"/> what the user reads.</summary>
    public static AdmissionResult Deny(string reason, string message, int code = 403) => new(false, message, code, null, reason, []);
}

/// <summary>The fixed denial reasons (metric label values).</summary>
public static class DenialReasons
{
    public const string BadRequest = "bad_request";
    public const string WrongKind = "wrong_kind";
    public const string GroupNotFound = "group_not_found";
    public const string GroupNotReady = "group_not_ready";
    public const string ForeignGroup = "foreign_group";
    public const string OwnerMismatch = "owner_mismatch";
    public const string OwnPolicy = "own_policy";
    public const string Tampered = "tampered";
    public const string Preflight = "preflight";
    public const string GenerationFailed = "generation_failed";
    public const string ImmutablePolicy = "immutable_policy";
    public const string InvalidGroupSpec = "invalid_group_spec";
    public const string Timeout = "timeout";
    public const string InternalError = "internal_error";
    public const string NotReady = "not_ready";
}
