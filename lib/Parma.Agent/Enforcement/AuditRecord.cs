namespace Parma.Agent.Enforcement;

/// <summary>One decision and what became of it. <see cref="Outcome"/>: denied, executed, failed (rolled back), refused (agent not bound).</summary>
public sealed record AuditRecord(
    DateTimeOffset Time,
    string Request,
    string? ContainerId,
    string? ExecId,
    bool Allowed,
    string? Reason,
    string Outcome,
    string? Error,
    string PolicySha256);
