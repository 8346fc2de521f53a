namespace Parma.Api.Tests;

public sealed class ParmaSettingsTests
{
    [Fact]
    public void Defaults_allow_the_default_runtime_class_only()
    {
        var settings = ParmaSettingsLoader.Load(null);
        settings.RuntimeClassName.Should().Be("kata-qemu-snp");
        settings.IsRuntimeClassAllowed("kata-qemu-snp").Should().BeTrue();
        settings.IsRuntimeClassAllowed("runc").Should().BeFalse();
    }

    [Fact]
    public void A_settings_file_is_read_with_its_node_pool()
    {
        var settings = ParmaSettingsLoader.Parse("""
            {"runtimeClassName": "kata-snp", "allowedRuntimeClasses": ["kata-snp-debug"],
             "nodeSelector": {"amd.com/sev-snp": "true"},
             "tolerations": [{"key": "sev-snp", "operator": "Exists", "effect": "NoSchedule"}],
             "insecureRegistries": ["127.0.0.1:5000"]}
            """);
        settings.IsRuntimeClassAllowed("kata-snp-debug").Should().BeTrue();
        settings.NodeSelector.Should().ContainKey("amd.com/sev-snp");
        settings.Tolerations.Single().Effect.Should().Be("NoSchedule");
    }

    [Fact]
    public void Keys_a_file_omits_keep_their_defaults()
    {
        var settings = ParmaSettingsLoader.Parse("""{"layerCacheDirectory": "/cache"}""");
        settings.RuntimeClassName.Should().Be("kata-qemu-snp");
        settings.AllowedRuntimeClasses.Should().Equal("kata-qemu-snp");
        settings.InsecureRegistries.Should().BeEmpty();
        settings.NodeSelector.Should().BeEmpty();
        settings.Tolerations.Should().BeEmpty();
        settings.LayerCacheDirectory.Should().Be("/cache");
        ParmaSettingsLoader.Parse("{}").Should().BeEquivalentTo(new ParmaSettings());
    }

    [Theory]
    [InlineData("""{"runtimeClass": "x"}""", "runtimeClass")]
    [InlineData("""{"runtimeClassName": "Not_Valid"}""", "Not_Valid")]
    [InlineData("""{"allowedRuntimeClasses": "kata"}""", "allowedRuntimeClasses")]
    [InlineData("not json", "settings")]
    public void Bad_settings_name_what_is_wrong(string json, string expected)
    {
        var act = () => ParmaSettingsLoader.Parse(json);
        act.Should().Throw<ParmaSettingsException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void A_named_file_that_does_not_exist_is_an_error()
    {
        var act = () => ParmaSettingsLoader.Load("/nonexistent/settings.json");
        act.Should().Throw<ParmaSettingsException>().WithMessage("*does not exist*");
    }
}
