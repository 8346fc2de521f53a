using Parma.Attestation.Guest;
using Parma.Attestation.Report;
using Parma.KeyRelease.Configuration;

namespace Parma.KeyRelease.Tests;

/// <summary>Loading the tenant's configuration: what it approves, and every way it is refused at load with a reason.</summary>
public sealed class KeyReleaseConfigurationTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private static readonly string HostData = new('a', 64);
    private readonly TenantDirectory _tenant;

    public KeyReleaseConfigurationTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    private Task<LoadedConfiguration> Load() => KeyCatalogLoader.LoadAsync(_tenant.ConfigPath);

    private async Task<string> Refusal(object policy, object? generator = null)
    {
        _tenant.WriteConfig(policy, generator);
        var act = () => Load();
        return (await act.Should().ThrowAsync<KeyReleaseConfigurationException>()).Which.Message;
    }

    [Fact]
    public async Task A_configuration_names_secrets_policies_and_a_pinned_development_root()
    {
        _tenant.WriteConfig(new
        {
            allowedHostData = new[] { HostData.ToUpperInvariant() },
            allowedMeasurements = new[] { TenantDirectory.MeasurementHex },
            minimumTcb = new { Bootloader = 1, Tee = 0, Snp = 1, Microcode = 1 },
        });

        var loaded = await Load();
        loaded.Catalog.TryGet("db", out var secret).Should().BeTrue();
        secret.Secret.Should().Equal(System.Text.Encoding.UTF8.GetBytes(TenantDirectory.Secret));
        secret.Policy.AllowedHostData.Should().Equal(HostData);
        secret.Policy.MinimumTcb.Should().Be(new TcbComponents(1, 0, 1, 1));
        loaded.Keys.Single().HostData.Should().Equal(new HostData.ApprovedHostData(HostData, "allowedHostData"));

        var evidence = await new DevelopmentReportProvider(_tenant.Authority).GetReportAsync(new byte[64]);
        loaded.Catalog.Verifier.Verify(evidence.ToSnpEvidence()).Failures.Should().BeEmpty("the pinned development ARK is trusted");
    }

    [Fact]
    public async Task Minimum_tcb_keys_are_camel_case_like_the_rest_of_the_file()
    {
        _tenant.WriteConfig(new
        {
            allowedHostData = new[] { HostData },
            allowedMeasurements = new[] { TenantDirectory.MeasurementHex },
            minimumTcb = new { bootloader = 3, tee = 0, snp = 20, microcode = 209 },
        });
        (await Load()).Keys.Single().Policy.MinimumTcb.Should().Be(new TcbComponents(3, 0, 20, 209));
    }

    [Fact]
    public async Task A_root_whose_fingerprint_differs_from_the_pin_is_refused()
    {
        _tenant.WriteConfigDocument(new { keys = Array.Empty<object>(), additionalRoots = new[] { new { product = "Milan", arkFile = "dev-ark.pem", sha256 = new string('0', 64) } } });
        var act = () => Load();
        (await act.Should().ThrowAsync<KeyReleaseConfigurationException>()).WithMessage("*dev-ark.pem*not the pinned*");
    }

    [Fact]
    public async Task Without_a_measurement_list_the_configuration_is_refused_unless_it_says_allow_any_measurement()
    {
        (await Refusal(new { allowedHostData = new[] { HostData } }))
            .Should().Contain("key 'db'").And.Contain("no MEASUREMENT is approved").And.Contain("\"allowAnyMeasurement\": true");

        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurements = Array.Empty<string>() }))
            .Should().Contain("no MEASUREMENT is approved", "an empty list is no list");

        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex }, allowAnyMeasurement = true }))
            .Should().Contain("contradicts");

        _tenant.WriteConfig(new { allowedHostData = new[] { HostData }, allowAnyMeasurement = true });
        (await Load()).Keys.Single().Policy.AllowAnyMeasurement.Should().BeTrue();
    }

    [Fact]
    public async Task A_key_that_approves_no_host_data_is_refused()
    {
        (await Refusal(new { allowedMeasurements = new[] { TenantDirectory.MeasurementHex } }))
            .Should().Contain("key 'db'").And.Contain("no host_data is approved");
    }

    [Fact]
    public async Task Group_mode_is_gone_and_its_configuration_says_why()
    {
        (await Refusal(new { group = "demo/hello", allowedMeasurements = new[] { TenantDirectory.MeasurementHex } }))
            .Should().Contain("policy.group was removed").And.Contain("policy.manifests");
    }

    [Fact]
    public async Task Vmpl_other_than_zero_cannot_be_configured()
    {
        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex }, vmpl = 1 }))
            .Should().Contain("policy.vmpl 1 is not accepted");
    }

    [Fact]
    public async Task A_misspelt_setting_is_an_error_not_a_default()
    {
        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurement = new[] { TenantDirectory.MeasurementHex } }))
            .Should().Contain("config.json").And.Contain("allowedMeasurement");
    }

    [Fact]
    public async Task Null_where_a_value_or_list_belongs_is_refused_not_skipped()
    {
        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurements = (string[]?)null })).Should().Contain("allowedMeasurements");
        (await Refusal(new { allowedHostData = new[] { HostData }, manifests = new string?[] { null }, allowAnyMeasurement = true }))
            .Should().Contain("keys[0].policy.manifests holds a null entry");
    }

    [Fact]
    public async Task Bad_values_and_files_are_named()
    {
        (await Refusal(new { allowedHostData = new[] { "xyz" }, allowAnyMeasurement = true })).Should().Contain("'xyz'");
        (await Refusal(new { allowedHostData = new[] { HostData }, allowedMeasurements = new[] { "12" } })).Should().Contain("'12'").And.Contain("96 hex");

        File.WriteAllText(_tenant.ConfigPath, "{");
        var broken = () => Load();
        (await broken.Should().ThrowAsync<KeyReleaseConfigurationException>()).WithMessage("*config.json*");

        _tenant.WriteConfigDocument(new
        {
            keys = new[] { new { id = "db", secretFile = "missing.secret", policy = new { allowedHostData = new[] { HostData }, allowAnyMeasurement = true } } },
        });
        var missing = () => Load();
        (await missing.Should().ThrowAsync<KeyReleaseConfigurationException>()).WithMessage("*key 'db'*missing.secret*");
    }
}
