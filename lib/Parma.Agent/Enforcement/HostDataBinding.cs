using System.Security.Cryptography;
using Parma.Attestation.Guest;
using Parma.Attestation.Report;

namespace Parma.Agent.Enforcement;

/// <summary>The outcome of comparing the policy's host_data with HOST_DATA of a fresh SNP report.</summary>
public sealed record BindingResult(bool Bound, string Detail, string ExpectedHex, string? ReportHex)
{
    public static BindingResult Unbound(string detail, string expectedHex, string? reportHex = null) => new(false, detail, expectedHex, reportHex);
}

/// <summary>
/// The base case of the paper's induction: the policy the agent enforces must be the one the PSP
/// fixed in HOST_DATA at launch. A report that cannot be obtained counts as a mismatch.
/// </summary>
public static class HostDataBinding
{
    public static async Task<BindingResult> CheckAsync(byte[] policyHostData, IAttestationReportProvider provider, CancellationToken cancellationToken = default)
    {
        var expected = Convert.ToHexStringLower(policyHostData);
        AttestationEvidence evidence;
        try
        {
            evidence = await provider.GetReportAsync(RandomNumberGenerator.GetBytes(64), cancellationToken).ConfigureAwait(false);
        }
        catch (AttestationUnavailableException e)
        {
            return BindingResult.Unbound($"no attestation report from {provider.Name}: {e.Message}", expected);
        }

        if (!SnpReport.TryParse(evidence.Report, out var report, out var error) || report is null)
        {
            return BindingResult.Unbound($"the report from {provider.Name} is not an SNP report: {error}", expected);
        }

        var actual = Convert.ToHexStringLower(report.HostData.Span);
        return actual == expected
            ? new BindingResult(true, $"HOST_DATA {actual} from {provider.Name} matches the policy", expected, actual)
            : BindingResult.Unbound($"HOST_DATA of the attestation report ({provider.Name}) is {actual}, but the policy's host_data is {expected}", expected, actual);
    }
}
