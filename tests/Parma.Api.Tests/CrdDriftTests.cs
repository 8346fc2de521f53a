using Parma.Api;
using Parma.Testing;

namespace Parma.Api.Tests;

public sealed class CrdDriftTests
{
    [Fact]
    public void Committed_crd_matches_the_csharp_types()
    {
        var committed = File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName));
        committed.Should().Be(
            ConfidentialPodGroupCrd.ToYaml(),
            "crds/ is generated from lib/Parma.Api; run `dotnet run --project cli -- crd -o crds` after changing the types");
    }

    [Fact]
    public void Chart_ships_the_same_crd_as_the_repository()
    {
        var chartCrds = RepoPaths.InRepo("charts", "parma-operator", "crds");
        if (!Directory.Exists(chartCrds))
        {
            return; // the chart is optional until it exists; once it does, its copy must not drift
        }

        File.ReadAllText(Path.Combine(chartCrds, ConfidentialPodGroupCrd.FileName))
            .Should().Be(File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName)));
    }

    [Fact]
    public void Schema_carries_the_validation_users_rely_on()
    {
        var crd = ConfidentialPodGroupCrd.Build();
        var spec = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!;
        spec["required"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Contain("template");
        spec["properties"]!["policy"]!["properties"]!["format"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>())
            .Should().Equal("agent-policy", "initdata");
        spec["properties"]!["policy"]!["properties"]!["layerVerification"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>())
            .Should().Equal("dm-verity", "none");
        var emptyDirMode = spec["properties"]!["policy"]!["properties"]!["emptyDirMode"]!;
        emptyDirMode["enum"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("block-encrypted", "block-plain", "shared-fs");
        emptyDirMode["default"]!.GetValue<string>().Should().Be("block-encrypted", "a group's emptyDirs are encrypted unless its spec says otherwise");
        spec["properties"]!["replicas"]!["minimum"]!.GetValue<long>().Should().Be(0);
        spec["properties"]!["runtimeClassName"]!["pattern"]!.GetValue<string>().Should().Be(Patterns.Dns1123Subdomain);
        spec["properties"]!["updateStrategy"]!["properties"]!["rollingUpdate"]!["properties"]!["maxUnavailable"]!["x-kubernetes-int-or-string"]!
            .GetValue<bool>().Should().BeTrue();
        crd["spec"]!["names"]!["shortNames"]![0]!.GetValue<string>().Should().Be("cpg");
        var subresources = crd["spec"]!["versions"]![0]!["subresources"]!;
        subresources["status"].Should().NotBeNull();
        subresources["scale"]!["labelSelectorPath"]!.GetValue<string>().Should().Be(".status.selector");
    }

    [Fact]
    public void Large_official_models_are_never_inlined_into_the_schema()
    {
        var act = () => OpenApiSchemaBuilder.ForType(typeof(k8s.Models.V1PodSpec));
        act.Should().Throw<InvalidOperationException>().WithMessage("*too large to inline in the CRD*");
    }

    [Fact]
    public void The_template_keeps_an_open_schema_so_a_client_side_apply_fits()
    {
        var crd = ConfidentialPodGroupCrd.Build();
        var template = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["template"]!;
        template["properties"]!["spec"]!["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>().Should().BeTrue();
        // kubectl apply (client side) stores the whole CRD in an annotation, which kube-apiserver caps at 256 KiB.
        System.Text.Encoding.UTF8.GetByteCount(ConfidentialPodGroupCrd.ToYaml()).Should().BeLessThan(64 * 1024);
    }
}
