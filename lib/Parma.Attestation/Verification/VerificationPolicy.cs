using Parma.Attestation.Report;

namespace Parma.Attestation.Verification;

/// <summary>What the relying party requires of a report beyond a valid signature and chain. Null means "not checked".</summary>
public sealed record VerificationPolicy
{
    /// <summary>Required VMPL (0 by default: the report must come from the most privileged level); null accepts any.</summary>
    public uint? RequiredVmpl { get; init; } = 0;

    public bool AllowDebug { get; init; }

    public bool AllowMigrationAgent { get; init; } = true;

    /// <summary>Minimum REPORTED_TCB, component by component.</summary>
    public TcbComponents? MinimumTcb { get; init; }

    /// <summary>Accepted MEASUREMENT values (48 bytes each); empty or null = not checked.</summary>
    public IReadOnlyCollection<byte[]>? AllowedMeasurements { get; init; }

    /// <summary>Accepted HOST_DATA values (32 bytes each); empty set = nothing accepted, null = not checked.</summary>
    public IReadOnlyCollection<byte[]>? AllowedHostData { get; init; }

    /// <summary>Exact REPORT_DATA (64 bytes), e.g. from <see cref="Claims.ReportDataBinding"/>.</summary>
    public byte[]? ExpectedReportData { get; init; }

    /// <summary>Product asserted by the caller; checked against CPUID and the certificate.</summary>
    public SnpProduct? Product { get; init; }

    public static VerificationPolicy Default { get; } = new();
}
