using Microsoft.Extensions.Logging;
using Parma.Agent.Runtime;
using Parma.Attestation.Guest;

namespace Parma.Agent.Hosting;

/// <summary>How to start an agent.</summary>
public sealed record AgentHostOptions
{
    /// <summary>A socket path, unix:PATH, or vsock:[CID:]PORT (vsock:1024 in a Kata UVM).</summary>
    public required string Address { get; init; }

    /// <summary>
    /// The policy: Rego text, an initdata TOML (e.g. from the initdata device) or an annotation value.
    /// Null: the agent starts with the built-in policy that allows only a first SetPolicy.
    /// </summary>
    public string? PolicyPath { get; init; }

    /// <summary>Where HOST_DATA comes from. Null: no report, so no policy can be bound and every request is refused.</summary>
    public IAttestationReportProvider? ReportProvider { get; init; }

    public required IRuntimeBackend Backend { get; init; }

    /// <summary>The audit log (JSON lines). Defaults to standard error.</summary>
    public TextWriter? AuditWriter { get; init; }

    public ILogger? Logger { get; init; }
}
