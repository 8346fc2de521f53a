namespace Parma.Attestation.Report;

/// <summary>Every field of a report as ordered name/value pairs (hex for byte fields), for display and JSON.</summary>
public static class SnpReportDescription
{
    public static IReadOnlyList<KeyValuePair<string, object?>> Describe(SnpReport report, SnpProduct product = SnpProduct.Unknown)
    {
        var layoutProduct = product == SnpProduct.Unknown ? report.ProductFromCpuid : product;
        var fields = new List<KeyValuePair<string, object?>>();
        void Add(string name, object? value) => fields.Add(new(name, value));
        static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

        Add("version", report.Version);
        Add("guest_svn", report.GuestSvn);
        Add("policy", report.Policy.ToString());
        Add("policy_abi", $"{report.Policy.AbiMajor}.{report.Policy.AbiMinor}");
        Add("policy_smt_allowed", report.Policy.SmtAllowed);
        Add("policy_migration_agent_allowed", report.Policy.MigrationAgentAllowed);
        Add("policy_debug_allowed", report.Policy.DebugAllowed);
        Add("policy_single_socket", report.Policy.SingleSocketOnly);
        Add("policy_cxl_allowed", report.Policy.CxlAllowed);
        Add("policy_mem_aes_256_xts", report.Policy.MemAes256XtsRequired);
        Add("policy_rapl_disabled", report.Policy.RaplDisabled);
        Add("policy_ciphertext_hiding", report.Policy.CiphertextHidingRequired);
        Add("policy_page_swap_disabled", report.Policy.PageSwapDisabled);
        Add("family_id", Hex(report.FamilyId));
        Add("image_id", Hex(report.ImageId));
        Add("vmpl", report.Vmpl);
        Add("signature_algo", report.SignatureAlgorithm);
        Add("current_tcb", report.CurrentTcb.Hex);
        Add("current_tcb_decoded", report.CurrentTcb.Decode(layoutProduct).ToString());
        Add("platform_info", report.PlatformInfo.ToString());
        Add("platform_smt_enabled", report.PlatformInfo.SmtEnabled);
        Add("platform_tsme_enabled", report.PlatformInfo.TsmeEnabled);
        Add("platform_ecc_enabled", report.PlatformInfo.EccEnabled);
        Add("platform_rapl_disabled", report.PlatformInfo.RaplDisabled);
        Add("platform_ciphertext_hiding_enabled", report.PlatformInfo.CiphertextHidingEnabled);
        Add("platform_alias_check_complete", report.PlatformInfo.AliasCheckComplete);
        Add("signer_info", report.SignerInfo.ToString());
        Add("signing_key", report.SignerInfo.SigningKey.ToString().ToUpperInvariant());
        Add("author_key_enabled", report.SignerInfo.AuthorKeyEnabled);
        Add("mask_chip_key", report.SignerInfo.MaskChipKey);
        Add("report_data", Hex(report.ReportData));
        Add("measurement", Hex(report.Measurement));
        Add("host_data", Hex(report.HostData));
        Add("id_key_digest", Hex(report.IdKeyDigest));
        Add("author_key_digest", Hex(report.AuthorKeyDigest));
        Add("report_id", Hex(report.ReportId));
        Add("report_id_ma", Hex(report.ReportIdMa));
        Add("reported_tcb", report.ReportedTcb.Hex);
        Add("reported_tcb_decoded", report.ReportedTcb.Decode(layoutProduct).ToString());
        Add("cpuid_fms", report.CpuidFamily is null ? null : $"{report.CpuidFamily:x2}{report.CpuidModel:x2}{report.CpuidStepping:x2}");
        Add("product", layoutProduct.ToString());
        Add("chip_id", Hex(report.ChipId));
        Add("chip_id_masked", report.ChipIdMasked);
        Add("committed_tcb", report.CommittedTcb.Hex);
        Add("current_version", report.CurrentVersion.ToString());
        Add("committed_version", report.CommittedVersion.ToString());
        Add("launch_tcb", report.LaunchTcb.Hex);
        Add("launch_mit_vector", report.LaunchMitigationVector is { } launch ? $"0x{launch:x}" : null);
        Add("current_mit_vector", report.CurrentMitigationVector is { } current ? $"0x{current:x}" : null);
        Add("signature_r", Hex(report.SignatureR));
        Add("signature_s", Hex(report.SignatureS));
        return fields;
    }
}
