using System.Security.Cryptography;
using System.Text.Json;
using Parma.Testing;

namespace Parma.Cli.Tests;

public class AttestCommandTests
{
    private static string V(params string[] parts) => RepoPaths.InShared(["snp-vectors", .. parts]);

    [Fact]
    public async Task Verify_accepts_a_real_milan_report_with_its_expected_values()
    {
        var result = await CliRunner.RunAsync(
            "attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"), "--vcek", V("virtee-milan-v2", "vcek_milan.der"),
            "--chain", V("virtee-milan-v2", "ask_ark_milan.pem"), "--product", "Milan",
            "--host-data", new string('0', 64),
            "--measurement", "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
            "--report-data", "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd");

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().StartWith("OK: Milan")
            .And.Contain("\n  MEASUREMENT: 7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f\n")
            .And.Contain($"\n  HOST_DATA:   {new string('0', 64)}\n");
    }

    [Fact]
    public async Task Verify_prints_what_the_report_vouches_for_and_says_what_it_did_not_check()
    {
        var result = await CliRunner.RunAsync(
            "attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"), "--vcek", V("virtee-milan-v2", "vcek_milan.der"));

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("\n  MEASUREMENT: 7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f (not checked: give --measurement)\n")
            .And.Contain($"\n  HOST_DATA:   {new string('0', 64)} (not checked: give --policy or --host-data)\n");
    }

    [Fact]
    public async Task Verify_fails_with_the_reason_when_debug_is_on_and_passes_with_allow_debug()
    {
        string[] args = ["attest", "verify", "--report", V("gosev-milan-v2", "attestation.bin"), "--vcek", V("gosev-milan-v2", "vcek.der"), "--output", "json"];
        var strict = await CliRunner.RunAsync(args);
        strict.ExitCode.Should().Be(1);
        using var json = JsonDocument.Parse(strict.StandardOutput);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("failures")[0].GetProperty("reason").GetString().Should().Be("DebugNotAllowed");
        json.RootElement.GetProperty("report").GetProperty("policy_debug_allowed").GetBoolean().Should().BeTrue();

        var lenient = await CliRunner.RunAsync([.. args, "--allow-debug", "--report-data", "0102030405"]);
        lenient.ExitCode.Should().Be(0, lenient.StandardOutput);
    }

    [Fact]
    public async Task Verify_uses_the_given_time_for_the_expired_vlek()
    {
        string[] args = ["attest", "verify", "--report", V("trustee-milan-v3-vlek", "test-vlek-report.bin"), "--vcek", V("trustee-milan-v3-vlek", "test-vlek.der"),
            "--chain", V("roots", "milan_asvk_ark.pem"), "--vmpl", "1"];
        (await CliRunner.RunAsync([.. args, "--at", "2025-06-01T00:00:00Z"])).ExitCode.Should().Be(0);
        var now = await CliRunner.RunAsync(args);
        now.ExitCode.Should().Be(1);
        now.StandardOutput.Should().Contain("CertificateExpired");
    }

    [Fact]
    public async Task Verify_with_a_policy_file_compares_host_data_with_its_sha256()
    {
        var policy = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(policy, "package agent_policy\n");
            var result = await CliRunner.RunAsync("attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"),
                "--vcek", V("virtee-milan-v2", "vcek_milan.der"), "--policy", policy);
            result.ExitCode.Should().Be(1);
            result.StandardOutput.Should().Contain("HostDataMismatch");
            var expected = Convert.ToHexStringLower(SHA256.HashData("package agent_policy\n"u8));
            result.StandardOutput.Should().Contain($"  expected HOST_DATA: {expected} (the host_data of the policy {policy})\n")
                .And.Contain($"  found HOST_DATA:    {new string('0', 64)} (in the report)\n", "the virtee Milan report has a zero HOST_DATA");

            var json = await CliRunner.RunAsync("attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"),
                "--vcek", V("virtee-milan-v2", "vcek_milan.der"), "--policy", policy, "--output", "json");
            using var document = JsonDocument.Parse(json.StandardOutput);
            document.RootElement.GetProperty("expected_host_data").GetString().Should().Be(expected);
            document.RootElement.GetProperty("found_host_data").GetString().Should().Be(new string('0', 64));
        }
        finally
        {
            File.Delete(policy);
        }
    }

    [Fact]
    public async Task Verify_reports_bad_input_clearly()
    {
        var missing = await CliRunner.RunAsync("attest", "verify", "--report", "/no/such/report.bin");
        missing.ExitCode.Should().Be(2);
        missing.StandardError.Should().Contain("/no/such/report.bin");

        var badHex = await CliRunner.RunAsync("attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"), "--host-data", "xyz");
        badHex.ExitCode.Should().Be(2);
        badHex.StandardError.Should().Contain("--host-data");

        var both = await CliRunner.RunAsync("attest", "verify", "--report", V("virtee-milan-v2", "report_milan.bin"), "--host-data", new string('0', 64), "--policy", "x");
        both.ExitCode.Should().NotBe(0);
        (both.StandardError + both.StandardOutput).Should().Contain("mutually exclusive");
    }

    [Fact]
    public async Task Show_prints_every_field_as_text_and_json()
    {
        var text = await CliRunner.RunAsync("attest", "show", "--report", V("trustee-milan-v3-vlek", "test-vlek-report.bin"));
        text.ExitCode.Should().Be(0);
        text.StandardOutput.Should().Contain("signing_key").And.Contain("VLEK").And.Contain("cpuid_fms").And.Contain("190101");

        var json = await CliRunner.RunAsync("attest", "show", "--report", V("virtee-milan-v2", "report_milan.bin"), "--output", "json");
        json.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(json.StandardOutput);
        document.RootElement.GetProperty("reported_tcb").GetString().Should().Be("0300000000000873");
        document.RootElement.GetProperty("chip_id").GetString().Should().StartWith("d49554ec");
        document.RootElement.GetProperty("cpuid_fms").ValueKind.Should().Be(JsonValueKind.Null);

        var shortFile = Path.GetTempFileName();
        await File.WriteAllBytesAsync(shortFile, RandomNumberGenerator.GetBytes(100));
        var bad = await CliRunner.RunAsync("attest", "show", "--report", shortFile);
        File.Delete(shortFile);
        bad.ExitCode.Should().Be(2);
        bad.StandardError.Should().Contain("1184");
    }
}
