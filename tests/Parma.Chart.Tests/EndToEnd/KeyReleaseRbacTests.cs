namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// Key release reads nothing from the cluster (lib/Parma.KeyRelease links no Kubernetes client; see
/// tests/Parma.KeyRelease.Tests), so the chart grants it nothing, mounts no token, and installs it at all only in an
/// explicitly named development mode that warns.
/// </summary>
public sealed class KeyReleaseRbacTests
{
    [Fact]
    public async Task A_default_install_has_no_key_release()
    {
        var chart = await Helm.TemplateAsync("parma-system");
        chart.Objects.Should().NotContain(o => RenderedChart.Label(o, "app.kubernetes.io/component") == "key-release");
    }

    [Fact]
    public async Task In_development_mode_key_release_gets_no_rbac_and_no_service_account_token()
    {
        var chart = await Helm.TemplateAsync("parma-system", "--set", "keyRelease.developmentMode.enabled=true", "--set", "keyRelease.existingSecret=keys");

        new RbacRules(chart, "parma-system", "parma-operator-key-release").Granted.Should().BeEmpty();
        chart.Objects.Where(o => RenderedChart.Kind(o) is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding")
            .Should().NotContain(o => RenderedChart.Name(o).Contains("key-release", StringComparison.Ordinal));
        chart.Deployment("key-release")["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Development_mode_notes_warn_loudly_and_a_default_install_does_not()
    {
        var notes = await Helm.RenderNotesAsync("--set", "keyRelease.developmentMode.enabled=true", "--set", "keyRelease.existingSecret=tenant-keys");
        notes.Should().Contain("WARNING: KEY RELEASE RUNS IN DEVELOPMENT MODE").And.Contain("parma-system/tenant-keys")
            .And.Contain("Never guard a real secret this way");

        (await Helm.RenderNotesAsync()).Should().NotContain("KEY RELEASE");
    }
}
