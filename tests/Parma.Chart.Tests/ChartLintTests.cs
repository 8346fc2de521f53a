namespace Parma.Chart.Tests;

/// <summary>`helm lint --strict`: the chart and its values schema, with default and non-default values.</summary>
public sealed class ChartLintTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("minimal-values.yaml")]
    [InlineData("full-values.yaml")]
    public async Task Lint_is_clean_in_strict_mode(string? valuesFile)
    {
        string[] values = valuesFile is null ? [] : ["-f", Helm.ValuesFile(valuesFile)];
        var result = await Helm.RunAsync(["lint", "--strict", Helm.ChartDirectory, .. values]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("0 chart(s) failed").And.NotContain("[WARNING]").And.NotContain("[ERROR]");
    }

    [Theory]
    [InlineData("webhook.timeoutSeconds=30", "timeoutSeconds")]
    [InlineData("webhook.failurePolicy=Sometimes", "failurePolicy")]
    [InlineData("tls.source=self", "source")]
    [InlineData("operator.replica=2", "replica")]
    [InlineData("settings.runtimeClassName=Kata_SNP", "runtimeClassName")]
    [InlineData("metrics.serviceMonitor=yes", "serviceMonitor")]
    public async Task Schema_rejects_bad_values_naming_the_field(string setting, string field)
    {
        var result = await Helm.RunAsync("lint", "--strict", Helm.ChartDirectory, "--set", setting);

        result.ExitCode.Should().NotBe(0);
        (result.StandardOutput + result.StandardError).Should().Contain(field);
    }

    [Fact]
    public async Task Key_release_in_development_mode_without_its_secret_fails_with_an_explanation()
    {
        var result = await Helm.RunAsync("template", "parma", Helm.ChartDirectory, "--set", "keyRelease.developmentMode.enabled=true");

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("keyRelease.existingSecret is required in key-release development mode");
    }

    [Fact]
    public async Task The_removed_key_release_switch_fails_the_install_and_points_outside_the_cluster()
    {
        var result = await Helm.RunAsync("template", "parma", Helm.ChartDirectory, "--set", "keyRelease.enabled=true", "--set", "keyRelease.existingSecret=keys");

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("keyRelease.enabled was removed").And.Contain("your own infrastructure").And.Contain("keyRelease.developmentMode.enabled");
    }

    [Fact]
    public async Task Several_operators_without_leader_election_are_refused()
    {
        var result = await Helm.RunAsync("template", "parma", Helm.ChartDirectory, "--set", "operator.leaderElection.enabled=false");

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("operator.replicas above 1 needs operator.leaderElection.enabled");
    }

    [Fact]
    public async Task A_single_webhook_replica_gets_no_disruption_budget_that_would_block_drains()
    {
        var single = await Helm.TemplateAsync("parma-system", "--set", "webhook.replicas=1");

        single.OfKind("PodDisruptionBudget").Should().BeEmpty();
    }

    [Fact]
    public void Chart_ships_the_repository_crds_unchanged()
    {
        var repository = Directory.GetFiles(Parma.Testing.RepoPaths.InRepo("crds"), "*.yaml").Select(Path.GetFileName).Order().ToList();
        var chart = Directory.GetFiles(Path.Combine(Helm.ChartDirectory, "crds"), "*.yaml").Select(Path.GetFileName).Order().ToList();

        chart.Should().Equal(repository);
        foreach (var name in repository)
        {
            File.ReadAllText(Path.Combine(Helm.ChartDirectory, "crds", name!))
                .Should().Be(File.ReadAllText(Parma.Testing.RepoPaths.InRepo("crds", name!)), $"charts/parma-operator/crds/{name} is a copy of crds/{name}");
        }
    }
}
