using Parma.Attestation.Report;

namespace Parma.Attestation.Verification;

/// <summary>
/// What the relying party requires of a report beyond a valid signature and chain. The defaults refuse what a production
/// guest never needs: debugging, a migration agent and a VMPL other than 0. An allow-list that is set but empty accepts
/// nothing; only null means "not checked".
/// </summary>
public sealed record VerificationPolicy
{
    /// <summary>Required VMPL (0 by default: the report must come from the most privileged level); null accepts any.</summary>
    public uint? RequiredVmpl { get; init; } = 0;

    /// <summary>Accept a guest policy with the DEBUG bit (the host can then read and write guest memory). Off by default.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Accept a guest policy that allows a migration agent (it could export the guest's memory). Off by default.</summary>
    public bool AllowMigrationAgent { get; init; }

    /// <summary>Minimum REPORTED_TCB, component by component.</summary>
    public TcbComponents? MinimumTcb { get; init; }

    /// <summary>Accepted MEASUREMENT values (48 bytes each); empty set = nothing accepted, null = not checked.</summary>
    public IReadOnlyCollection<byte[]>? AllowedMeasurements { get; init; }

    /// <summary>Accepted HOST_DATA values (32 bytes each); empty set = nothing accepted, null = not checked.</summary>
    public IReadOnlyCollection<byte[]>? AllowedHostData { get; init; }

    /// <summary>Exact REPORT_DATA (64 bytes), e.g. from <see cref="Claims.ReportDataBinding"/>.</summary>
    public byte[]? ExpectedReportData { get; init; }

    /// <summary>Product asserted by the caller; checked against CPUID and the certificate.</summary>
    public SnpProduct? Product { get; init; }

    public static VerificationPolicy Default { get; } = new();
}
