using System.Text.Json.Nodes;
using Parma.Policy.Patching;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;

namespace Parma.Policy.Tests;

/// <summary>--patch edits only the annotations (and, asked to, the images) of each pod template, and a second run changes nothing.</summary>
public class ManifestPatcherTests
{
    private const string Pinned = "registry.example/app@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static GeneratedPolicy Policy(Workload workload, string text = "package agent_policy\n", PolicyFormat format = PolicyFormat.AgentPolicy) =>
        new(workload, text, new JsonObject(), format, PolicyAnnotations.For(text, format),
            [new ContainerSummary("pause", "pause", "registry.k8s.io/pause@sha256:2222222222222222222222222222222222222222222222222222222222222222", 1),
             new ContainerSummary("app", "app", Pinned, 2)], []);

    private static ManifestPatch Patch(string yaml, bool pinImages = false, string text = "package agent_policy\n", PolicyFormat format = PolicyFormat.AgentPolicy)
    {
        var manifests = ManifestSet.Parse(yaml, "test.yaml");
        return ManifestPatcher.Patch(yaml, "test.yaml", manifests.Workloads.Select(w => Policy(w, text, format)), pinImages);
    }

    private static IReadOnlyDictionary<string, string> AnnotationsOf(string yaml, int workload = 0) =>
        (ManifestSet.Parse(yaml, "patched.yaml").Workloads[workload].Metadata["annotations"] as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    private const string Deployment = """
        # Our web tier. Keep this comment.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web   # the name
        spec:
          template:
            metadata:
              labels: {app: web}   # flow labels stay as written
              annotations:
                team: 'payments'    # who to page
                prometheus.io/scrape: "true"
            spec:
              containers:
                - name: app
                  image: "registry.example/app:1.0"   # pinned by --pin-images


                  env:
                    - {name: PORT, value: "8080"}
        """;

    [Fact]
    public void Only_the_annotations_are_added_and_everything_else_stays_byte_for_byte()
    {
        var patch = Patch(Deployment);

        var expectedPolicy = PolicyAnnotations.For("package agent_policy\n", PolicyFormat.AgentPolicy);
        var added = $"        io.katacontainers.config.agent.policy: \"{expectedPolicy.Value}\"\n        parma.dev/host-data: \"{expectedPolicy.HostDataHex}\"\n";
        patch.Text.Should().Be(Deployment.Replace("      annotations:\n", "      annotations:\n" + added, StringComparison.Ordinal));
        patch.Notes.Should().BeEmpty();
        AnnotationsOf(patch.Text).Should().Contain("team", "payments").And.Contain("prometheus.io/scrape", "true")
            .And.Contain(PolicyAnnotations.HostDataKey, expectedPolicy.HostDataHex);
    }

    [Fact]
    public void A_second_run_gives_the_same_bytes_and_a_new_policy_replaces_values_in_place()
    {
        var once = Patch(Deployment, pinImages: true).Text;
        var manifests = ManifestSet.Parse(once, "once.yaml");

        var twice = ManifestPatcher.Patch(once, "once.yaml", manifests.Workloads.Select(w => Policy(w)), pinImages: true).Text;
        var changed = ManifestPatcher.Patch(once, "once.yaml", manifests.Workloads.Select(w => Policy(w, "package agent_policy\n# v2\n")), pinImages: true).Text;

        twice.Should().Be(once);
        changed.Split('\n').Length.Should().Be(once.Split('\n').Length, "values are replaced on their lines");
        AnnotationsOf(changed)[PolicyAnnotations.HostDataKey].Should().Be(PolicyAnnotations.For("package agent_policy\n# v2\n", PolicyFormat.AgentPolicy).HostDataHex);
        AnnotationsOf(changed).Keys.Should().Equal(AnnotationsOf(once).Keys, "the annotation order is stable");
    }

    [Fact]
    public void Pin_images_replaces_only_the_image_value_and_keeps_its_quoting()
    {
        var patch = Patch(Deployment, pinImages: true);

        patch.Text.Should().Contain($"          image: \"{Pinned}\"   # pinned by --pin-images\n");
        ManifestSet.Parse(patch.Text, "p.yaml").Workloads[0].Spec["containers"]![0]!["image"]!.GetValue<string>().Should().Be(Pinned);
        Patch(Deployment).Text.Should().Contain("image: \"registry.example/app:1.0\"", "images stay unless asked");
    }

    [Fact]
    public void Switching_the_policy_format_renames_the_entry_in_place()
    {
        var agentPolicy = Patch(Deployment).Text;
        var manifests = ManifestSet.Parse(agentPolicy, "a.yaml");

        var initData = ManifestPatcher.Patch(agentPolicy, "a.yaml", manifests.Workloads.Select(w => Policy(w, format: PolicyFormat.InitData)), false).Text;

        var annotations = AnnotationsOf(initData);
        annotations.Should().ContainKey(PolicyAnnotations.InitDataKey).And.NotContainKey(PolicyAnnotations.AgentPolicyKey);
        annotations.Keys.Should().Equal(PolicyAnnotations.InitDataKey, PolicyAnnotations.HostDataKey, "team", "prometheus.io/scrape");
        initData.Should().Contain("# who to page");
    }

    [Fact]
    public void A_template_without_metadata_or_annotations_gets_a_block_at_its_indentation()
    {
        const string noMetadata = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: batch/v1
                kind: Job
                metadata: {name: once}
                spec:
                  template:
                    spec:
                      containers: [{name: app, image: registry.example/app:1.0}]
              - apiVersion: v1
                kind: Pod
                metadata:
                  name: solo
                  labels:
                    app: solo
                spec:
                  containers:
                    - name: app
                      image: registry.example/app:1.0
            """;

        var patch = Patch(noMetadata, pinImages: true);

        AnnotationsOf(patch.Text, 0).Should().ContainKey(PolicyAnnotations.AgentPolicyKey);
        AnnotationsOf(patch.Text, 1).Should().ContainKey(PolicyAnnotations.HostDataKey);
        patch.Text.Should().Contain("        metadata:\n          annotations:\n            io.katacontainers")
            .And.Contain("    metadata:\n      annotations:\n        io.katacontainers")
            .And.Contain($"containers: [{{name: app, image: {Pinned}}}]", "a flow sequence's scalar is replaced in place");
        Patch(patch.Text, pinImages: true).Text.Should().Be(patch.Text);
    }

    [Theory]
    [InlineData("      annotations:\n", "null value")]
    [InlineData("      annotations: ~\n", "tilde")]
    [InlineData("      annotations: {}\n", "flow")]
    [InlineData("      annotations: {a: b}  # kept\n", "flow with an entry")]
    public void Empty_and_flow_annotations_are_filled(string annotationsLine, string because)
    {
        var yaml = "kind: Pod\nmetadata:\n  name: p\n  labels:\n    x: y\nspec:\n  containers:\n  - name: app\n    image: i\n".Replace("  labels:\n", annotationsLine.Replace("    ", "", StringComparison.Ordinal) + "  labels:\n", StringComparison.Ordinal);

        var patch = Patch(yaml);

        var annotations = AnnotationsOf(patch.Text);
        annotations.Should().ContainKey(PolicyAnnotations.AgentPolicyKey, because);
        if (annotationsLine.Contains("a: b", StringComparison.Ordinal))
        {
            annotations["a"].Should().Be("b");
            patch.Text.Should().Contain("# kept");
        }

        (patch.Notes.Count > 0).Should().Be(annotationsLine.Contains('{', StringComparison.Ordinal), "a rewritten flow mapping is reported");
        Patch(patch.Text).Text.Should().Be(patch.Text, because);
    }

    [Fact]
    public void Other_documents_and_empty_documents_stay_and_the_right_template_is_patched()
    {
        const string yaml = "---\n# leading empty document\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n---\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: i\n...\n";

        var patch = Patch(yaml);

        patch.Text.Should().StartWith("---\n# leading empty document\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n---\nkind: Pod\nmetadata:\n  annotations:\n")
            .And.EndWith("  name: p\nspec:\n  containers:\n  - name: app\n    image: i\n...\n");
    }

    [Fact]
    public void Anchored_metadata_that_aliases_may_share_is_refused()
    {
        const string yaml = "kind: Pod\nmetadata: &shared\n  name: p\n  labels:\n    a: b\nspec:\n  containers:\n  - name: app\n    image: i\n";

        var act = () => Patch(yaml);

        act.Should().Throw<PolicyInputException>().WithMessage("*anchor &shared*");
    }

    [Fact]
    public void An_existing_block_scalar_value_is_replaced_and_the_next_key_stays_on_its_line()
    {
        const string yaml = "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    parma.dev/host-data: |\n      old\n    other: kept\nspec:\n  containers:\n  - name: app\n    image: i\n";

        var patch = Patch(yaml);

        AnnotationsOf(patch.Text)["other"].Should().Be("kept");
        AnnotationsOf(patch.Text)[PolicyAnnotations.HostDataKey].Should().MatchRegex("^[0-9a-f]{64}$");
        Patch(patch.Text).Text.Should().Be(patch.Text);
    }
}
