using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Parma.Attestation.Certificates;
using Parma.Claims;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.Cli.Commands;

/// <summary>
/// `parma attest verify`: signature, VCEK/VLEK → ASK/ASVK → pinned AMD ARK, and whatever else is asked. Exit 0 only when
/// everything holds, 1 when verification fails, 2 on bad input.
/// </summary>
internal static class AttestVerifyCommand
{
    public static Command Create()
    {
        var report = new Option<FileInfo>("--report") { Description = "The 1184-byte attestation report file.", Required = true };
        var vcek = new Option<FileInfo?>("--vcek") { Description = "The VCEK or VLEK certificate (DER or PEM) that signed the report." };
        var chain = new Option<FileInfo?>("--chain") { Description = "ASK/ASVK (+ ARK) PEM; default: AMD's built-in intermediates. The ARK is always AMD's pinned one." };
        var product = AttestOptions.Product("The processor (checked against CPUID and the certificate).");
        var hostData = new Option<string?>("--host-data") { Description = "Expected HOST_DATA, 64 hex digits." };
        var policy = new Option<FileInfo?>("--policy") { Description = "Policy file (Rego text, initdata TOML, or either annotation value); HOST_DATA must be its host_data." };
        var reportData = new Option<string?>("--report-data") { Description = "Expected REPORT_DATA in hex (up to 64 bytes, zero-padded)." };
        var runtimeData = new Option<FileInfo?>("--runtime-data") { Description = "Runtime claim file; REPORT_DATA must be SHA-256 of it, zero-padded to 64 bytes." };
        var measurement = new Option<string?>("--measurement") { Description = "Expected MEASUREMENT, 96 hex digits." };
        var vmpl = new Option<uint>("--vmpl") { Description = "Required VMPL.", DefaultValueFactory = _ => 0 };
        var allowDebug = new Option<bool>("--allow-debug") { Description = "Accept reports whose guest policy allows debugging." };
        var at = new Option<string?>("--at") { Description = "Check certificate validity at this time (ISO 8601) instead of now." };
        var output = AttestOptions.Output();
        var command = new Command("verify", "Verify an SEV-SNP attestation report.")
        {
            report, vcek, chain, product, hostData, policy, reportData, runtimeData, measurement, vmpl, allowDebug, at, output,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(hostData) is not null && result.GetValue(policy) is not null)
            {
                result.AddError("--host-data and --policy are mutually exclusive");
            }

            if (result.GetValue(reportData) is not null && result.GetValue(runtimeData) is not null)
            {
                result.AddError("--report-data and --runtime-data are mutually exclusive");
            }
        });

        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            SnpEvidence evidence;
            VerificationPolicy verificationPolicy;
            SnpReportVerifier verifier;
            byte[]? expectedHostData;
            string? expectedFrom = null;
            try
            {
                var reportBytes = AttestOptions.ReadFile(parse.GetValue(report)!, "report");
                var leaf = parse.GetValue(vcek) is { } leafFile ? CertificateFiles.LoadOne(Existing(leafFile, "--vcek")) : null;
                var chainCertificates = parse.GetValue(chain) is { } chainFile ? CertificateFiles.LoadAll(Existing(chainFile, "--chain")) : null;
                evidence = new SnpEvidence(reportBytes, leaf, chainCertificates);

                expectedHostData = parse.GetValue(hostData) is { } hostHex
                    ? AttestOptions.Hex(hostHex, HostDataCalculator.Length, "--host-data")
                    : parse.GetValue(policy) is { } policyFile ? Parma.Policy.Output.PolicyFile.Read(policyFile.FullName).HostData : null;
                expectedFrom = parse.GetValue(policy) is { } fromPolicy ? $"the host_data of the policy {fromPolicy.FullName}" : "--host-data";
                var expectedReportData = parse.GetValue(reportData) is { } reportHex
                    ? ReportDataBinding.FromHex(reportHex)
                    : parse.GetValue(runtimeData) is { } claimFile ? ReportDataBinding.ForClaim(AttestOptions.ReadFile(claimFile, "runtime data")) : null;
                var expectedMeasurement = parse.GetValue(measurement) is { } measurementHex
                    ? AttestOptions.Hex(measurementHex, SnpReportLayout.MeasurementLength, "--measurement")
                    : null;
                var productName = AttestOptions.ParseProduct(parse.GetValue(product));
                verificationPolicy = new VerificationPolicy
                {
                    RequiredVmpl = parse.GetValue(vmpl),
                    AllowDebug = parse.GetValue(allowDebug),
                    AllowedHostData = expectedHostData is null ? null : [expectedHostData],
                    ExpectedReportData = expectedReportData,
                    AllowedMeasurements = expectedMeasurement is null ? null : [expectedMeasurement],
                    Product = productName == SnpProduct.Unknown ? null : productName,
                };
                verifier = SnpReportVerifier.CreateDefault(parse.GetValue(at) is { } time ? new FixedClock(ParseTime(time)) : null);
            }
            catch (Exception e) when (AttestOptions.IsInputError(e))
            {
                stderr.WriteLine($"parma attest verify: {e.Message}");
                return 2;
            }

            var result = verifier.Verify(evidence, verificationPolicy);
            // On a HOST_DATA mismatch, show both values: the expected one is what to compare with the policy the tenant reviewed.
            var hostDataMismatch = expectedHostData is not null && result.Report is not null && result.Has(AttestationFailureReason.HostDataMismatch);
            var expectedHex = expectedHostData is null ? null : Convert.ToHexStringLower(expectedHostData);
            var foundHex = result.Report is null ? null : Convert.ToHexStringLower(result.Report.HostData.Span);
            if (parse.GetValue(output) == "json")
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    valid = result.IsValid,
                    product = result.Product.ToString(),
                    signer = result.Signer?.ToString().ToUpperInvariant(),
                    signature_valid = result.SignatureValid,
                    chain_valid = result.ChainValid,
                    tcb_matches_certificate = result.TcbMatchesCertificate,
                    failures = result.Failures.Select(f => new { reason = f.Reason.ToString(), message = f.Message }),
                    expected_host_data = expectedHex,
                    found_host_data = expectedHex is null ? null : foundHex,
                    report = result.Report is null ? null : SnpReportDescription.Describe(result.Report, result.Product).ToDictionary(f => f.Key, f => f.Value),
                }, AttestOptions.Json));
            }
            else
            {
                stdout.WriteLine(result.IsValid
                    ? $"OK: {result.Product} report signed by the {result.Signer.ToString()!.ToUpperInvariant()}, chain to AMD's pinned ARK, all requested checks hold"
                    : $"FAILED: {result.Failures.Count} check(s) failed");
                foreach (var failure in result.Failures)
                {
                    stdout.WriteLine($"  {failure.Reason}: {failure.Message}");
                }

                if (result.IsValid && result.Report is { } verified)
                {
                    // What the report vouches for: the launch (MEASUREMENT) and the policy (HOST_DATA) to compare with the reviewed ones.
                    stdout.WriteLine($"  MEASUREMENT: {Convert.ToHexStringLower(verified.Measurement.Span)}{(verificationPolicy.AllowedMeasurements is null ? " (not checked: give --measurement)" : string.Empty)}");
                    stdout.WriteLine($"  HOST_DATA:   {foundHex}{(expectedHostData is null ? " (not checked: give --policy or --host-data)" : string.Empty)}");
                }

                if (hostDataMismatch)
                {
                    stdout.WriteLine($"  expected HOST_DATA: {expectedHex} ({expectedFrom})");
                    stdout.WriteLine($"  found HOST_DATA:    {foundHex} (in the report)");
                }
            }

            return result.IsValid ? 0 : 1;
        });
        return command;
    }

    private static string Existing(FileInfo file, string option) =>
        file.Exists ? file.FullName : throw new FileNotFoundException($"{option} file '{file.FullName}' does not exist");

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"--at '{text}' is not a date/time (use ISO 8601, e.g. 2025-06-01T00:00:00Z)");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
