using Parma.Attestation.Guest;

namespace Parma.Agent.Hosting;

/// <summary>The report providers the hosts offer by name: tsm, sev-guest, auto (tsm then sev-guest), dev.</summary>
public static class ReportProviderChoice
{
    public static readonly IReadOnlyList<string> Names = ["auto", "tsm", "sev-guest", "dev"];

    /// <summary>
    /// The development provider stands in for the hardware: it fabricates reports signed by a local
    /// test key whose HOST_DATA is what the launcher would have fixed — the policy's host_data, or
    /// <paramref name="devHostData"/> to simulate a launch with another policy.
    /// </summary>
    public static IAttestationReportProvider Create(string name, byte[]? policyHostData, byte[]? devHostData = null) => name switch
    {
        "auto" => AttestationReportProviders.Detect(),
        "tsm" => new ConfigFsTsmReportProvider(),
        "sev-guest" => new SevGuestDeviceProvider(),
        "dev" => new DevelopmentReportProvider(
            DevelopmentAuthority.Create(),
            new DevelopmentReportSettings { HostData = devHostData ?? policyHostData ?? new byte[Parma.Claims.HostDataCalculator.Length] }),
        _ => throw new ArgumentException($"unknown report provider '{name}': use one of {string.Join(", ", Names)}"),
    };
}
