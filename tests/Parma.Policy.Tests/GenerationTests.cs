using System.Security.Cryptography;
using System.Text;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;
using Parma.Policy.Settings;

namespace Parma.Policy.Tests;

public class GenerationTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    private Task<GeneratedPolicy> Generate(string yaml, GroupPolicyOptions? options = null)
    {
        var manifests = ManifestSet.Parse(yaml, "test.yaml");
        return new PolicyGenerator(examples.Settings, examples.Images).GenerateAsync(manifests.Workloads.Single(), manifests, options ?? new GroupPolicyOptions());
    }

    private static string PodWith(string containerYaml, string kind = "Pod", string extraSpec = "") => $$"""
        apiVersion: v1
        kind: {{kind}}
        metadata:
          name: demo
          namespace: team-a
        spec:
        {{extraSpec}}
          containers:
        {{containerYaml}}
        """;

    private const string Hello = """
            - name: app
              image: registry.example/parma/hello:1.0
        """;

    [Fact]
    public async Task The_same_input_gives_byte_identical_policies()
    {
        var (again, _) = await examples.GenerateAsync("confidential-pod-group.yaml");

        again.PolicyText.Should().Be(examples.Group.PolicyText);
        again.Annotations.Should().Be(examples.Group.Annotations);
    }

    [Fact]
    public void The_policy_is_the_framework_followed_by_canonical_policy_data()
    {
        var text = examples.Group.PolicyText;

        text.Should().StartWith("package agent_policy\n");
        text.Should().Contain("\n\npolicy_data := {\n  \"common\": {");
        text.Should().EndWith("}\n");
        text.Should().NotContain("\r");
    }

    [Fact]
    public void Agent_policy_host_data_is_sha256_of_the_policy_text_and_the_annotation_is_its_base64()
    {
        var annotations = examples.Group.Annotations;
        var textBytes = Encoding.UTF8.GetBytes(examples.Group.PolicyText);

        annotations.Key.Should().Be("io.katacontainers.config.agent.policy");
        Convert.FromBase64String(annotations.Value).Should().Equal(textBytes);
        annotations.HostDataHex.Should().Be(Convert.ToHexStringLower(SHA256.HashData(textBytes)));
    }

    [Fact]
    public async Task Initdata_host_data_is_sha256_of_the_toml_and_the_annotation_is_gzip_base64()
    {
        var (policy, _) = await examples.GenerateAsync("confidential-pod-group.yaml", new GroupPolicyOptions { FormatOverride = PolicyFormat.InitData });
        var toml = PolicyAnnotations.Gunzip(Convert.FromBase64String(policy.Annotations.Value));
        var tomlText = Encoding.UTF8.GetString(toml);

        policy.Annotations.Key.Should().Be("io.katacontainers.config.hypervisor.cc_init_data");
        tomlText.Should().StartWith("version = \"0.1.0\"\nalgorithm = \"sha256\"\n\n[data]\n\"policy.rego\" = '''\n");
        policy.HostDataHex.Should().Be(Convert.ToHexStringLower(SHA256.HashData(toml)));
        InitData.Parse(tomlText).Policy.Should().Be(policy.PolicyText);
        policy.PolicyText.Should().Be(examples.Group.PolicyText, "the format changes the carrier, not the policy");
    }

    [Fact]
    public void Initdata_with_a_longer_digest_is_truncated_to_32_bytes()
    {
        var toml = Encoding.UTF8.GetBytes("version = \"0.1.0\"\nalgorithm = \"sha512\"\n");

        HostData.OfInitData(toml, "sha512").Should().Equal(SHA512.HashData(toml).AsSpan(0, 32).ToArray());
    }

    [Fact]
    public void Policy_files_of_every_kind_give_the_same_host_data()
    {
        var text = examples.Group.PolicyText;
        var initData = InitData.Create(text);

        PolicyFile.Parse(Encoding.UTF8.GetBytes(text), "policy.rego").HostDataHex.Should().Be(examples.Group.HostDataHex);
        PolicyFile.Parse(Encoding.UTF8.GetBytes(examples.Group.Annotations.Value), "annotation").Kind.Should().Be(PolicyFileKind.AgentPolicyAnnotation);
        PolicyFile.Parse(Encoding.UTF8.GetBytes(examples.Group.Annotations.Value), "annotation").HostDataHex.Should().Be(examples.Group.HostDataHex);
        var fromToml = PolicyFile.Parse(initData.TomlBytes, "initdata.toml");
        fromToml.Kind.Should().Be(PolicyFileKind.InitDataToml);
        fromToml.HostData.Should().Equal(initData.HostData);
        var fromInitAnnotation = PolicyFile.Parse(Encoding.UTF8.GetBytes(PolicyAnnotations.ForInitData(initData).Value), "annotation");
        fromInitAnnotation.HostData.Should().Equal(initData.HostData);
        fromInitAnnotation.PolicyText.Should().Be(text);
    }

    [Fact]
    public void A_file_that_is_no_policy_is_a_clear_error()
    {
        var act = () => PolicyFile.Parse(Encoding.UTF8.GetBytes("hello world"), "notes.txt");

        act.Should().Throw<PolicyInputException>().WithMessage("notes.txt: not a Rego policy*");
    }

    [Theory]
    [InlineData("Pod", "^demo$")]
    [InlineData("Deployment", "^demo-[a-z0-9]{1,10}-[a-z0-9]{5}$")]
    [InlineData("StatefulSet", "^demo-[0-9]+$")]
    [InlineData("DaemonSet", "^demo-[a-z0-9]{5}$")]
    [InlineData("Job", "^demo-[a-z0-9]{5}$")]
    [InlineData("ReplicaSet", "^demo-[a-z0-9]{5}$")]
    [InlineData("CronJob", "^demo-[0-9]+-[a-z0-9]{5}$")]
    public async Task Every_workload_kind_names_its_pods(string kind, string sandboxName)
    {
        var template = $$"""
              template:
                spec:
                  containers:
            {{Hello.Replace("    - ", "        - ", StringComparison.Ordinal).Replace("      image", "          image", StringComparison.Ordinal)}}
            """;
        var spec = kind switch
        {
            "Pod" => PodWith(Hello),
            "CronJob" => $"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: demo\n  namespace: team-a\nspec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n{Indent(template, 4)}",
            _ => $"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: demo\n  namespace: team-a\nspec:\n{template}",
        };

        var policy = await Generate(spec);

        policy.PolicyData["sandbox"]!["name"]!.GetValue<string>().Should().Be(sandboxName);
        policy.PolicyData["sandbox"]!["namespace"]!.GetValue<string>().Should().Be("team-a");
        policy.Containers.Select(c => c.Name).Should().Equal("pause", "app");
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    [Fact]
    public void An_unknown_kind_is_a_clear_error()
    {
        var act = () => ManifestSet.Parse("apiVersion: v1\nkind: Gadget\nmetadata:\n  name: x\n", "gadget.yaml");

        act.Should().Throw<PolicyInputException>().WithMessage("gadget.yaml: document 1: kind 'Gadget' does not describe pods; supported kinds: *");
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var act = () => ManifestSet.Parse("kind: Pod\nmetadata: [\n", "broken.yaml");

        act.Should().Throw<PolicyInputException>().WithMessage("broken.yaml: line *");
    }

    [Fact]
    public async Task Host_namespaces_are_refused()
    {
        var act = () => Generate(PodWith(Hello, extraSpec: "  hostNetwork: true"));

        await act.Should().ThrowAsync<PolicyInputException>().WithMessage("Pod demo: spec.hostNetwork is not supported in a confidential pod.");
    }

    [Fact]
    public async Task An_unsupported_volume_is_refused_by_name()
    {
        var act = () => Generate(PodWith("""
                - name: app
                  image: registry.example/parma/hello:1.0
                  volumeMounts:
                    - name: host
                      mountPath: /host
            """, extraSpec: "  volumes:\n    - name: host\n      hostPath:\n        path: /"));

        await act.Should().ThrowAsync<PolicyInputException>().WithMessage("*volume host of type hostPath is not supported*");
    }

    [Fact]
    public async Task An_image_that_cannot_be_resolved_names_the_image()
    {
        var act = () => Generate(PodWith("    - name: app\n      image: registry.invalid/none:1.0"));

        (await act.Should().ThrowAsync<PolicyInputException>()).WithMessage("Pod demo: image registry.invalid/none:1.0: *");
    }

    [Fact]
    public void The_deployment_expands_variable_references_in_its_arguments()
    {
        var web = examples.DeploymentPlan.Containers.Single(c => c.Name == "web");

        web.Args.Should().Equal("/app/hello.sh", "--port", "8080");
        web.Env.Exact.Should().Contain(["PORT=8080", "GREETING=hi", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
        web.Env.Exact.Should().NotContain("GREETING=hello", "the pod's env replaces the image's");
        web.Exec.Probes.Should().ContainEquivalentOf(new[] { "/app/healthy.sh" });
    }

    [Fact]
    public void The_group_pins_config_map_values_and_leaves_an_unsupplied_secret_free_by_name_only()
    {
        var hello = examples.GroupPlan.Containers.Single(c => c.Name == "hello");

        hello.Env.Exact.Should().Contain(["LOG_LEVEL=info", "LISTEN_PORT=8080", "GREETING=bonjour", "POD_NAMESPACE=demo"]);
        hello.Env.Patterns.Should().Contain("^API_TOKEN=.*$");
        (hello.User.Uid, hello.User.Gid).Should().Be((1000L, 1000L));
        hello.User.AdditionalGids.Should().Equal(1000L);
        hello.NoNewPrivileges.Should().BeTrue();
        hello.ReadOnlyRoot.Should().BeTrue();
        hello.Capabilities.Effective.Should().BeEmpty("a non-root process starts without effective capabilities");
        hello.Exec.Probes.Select(c => string.Join(' ', c)).Should().BeEquivalentTo(["/app/healthy.sh"]);
        hello.Exec.Commands.Select(c => string.Join(' ', c)).Should().BeEquivalentTo(["/bin/sh -c cat /proc/loadavg"]);
        hello.Exec.Terminal.Should().BeFalse("the group does not allow terminals");
    }

    [Fact]
    public void Layers_are_listed_top_most_first_with_their_tardev_ids()
    {
        var layers = examples.Group.PolicyData["containers"]![1]!["layers"]!.AsArray();
        var image = examples.GroupPlan.Containers.Single(c => c.Name == "hello").Image;
        var chain = LayerIds.ChainIds(image.Layers.Select(l => l.DiffId).ToList());

        layers.Select(l => l!["root_hash"]!.GetValue<string>()).Should().Equal(image.Layers.Reverse().Select(l => l.RootHash));
        layers[^1]!["id"]!.GetValue<string>().Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image.Layers[0].DiffId))));
        layers[0]!["id"]!.GetValue<string>().Should().Be(LayerIds.LayerId(chain[1]));
        chain[1].Should().Be("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{image.Layers[0].DiffId} {image.Layers[1].DiffId}"))));
    }

    [Fact]
    public async Task A_large_policy_warns_before_the_annotation_budget_and_suggests_initdata()
    {
        var big = string.Join('\n', Enumerable.Range(0, 600).Select(i => $"            - name: VAR_{i}\n              value: \"{new string('v', 300)}\""));
        var policy = await Generate(PodWith($"    - name: app\n      image: registry.example/parma/hello:1.0\n      env:\n{Indent(big.Replace("            ", "", StringComparison.Ordinal), 8)}"));

        policy.Warnings.Should().ContainSingle().Which.Should().Contain("Use the initdata format");
    }

    [Fact]
    public void Settings_drop_ins_patch_the_defaults_and_bad_ones_say_why()
    {
        var patch = """[{"op": "add", "path": "/exec/commands/-", "value": ["/bin/date"]}, {"op": "replace", "path": "/request_defaults/ReadStreamRequest", "value": true}]""";
        var settings = PolicySettingsLoader.Parse(PolicySettingsLoader.ApplyDropIn(PolicySettingsLoader.DefaultsJson(), patch, "debug.json"), "patched");

        settings.Exec.Commands.Should().ContainSingle().Which.Should().Equal("/bin/date");
        settings.RequestDefaults["ReadStreamRequest"].Should().BeTrue();
        var bad = () => PolicySettingsLoader.ApplyDropIn(PolicySettingsLoader.DefaultsJson(), """[{"op": "remove", "path": "/nope"}]""", "bad.json");
        bad.Should().Throw<PolicyInputException>().WithMessage("bad.json: *");
        var unknown = () => PolicySettingsLoader.Parse("""{"version": "1", "surprise": true}""", "mine.json");
        unknown.Should().Throw<PolicyInputException>().WithMessage("mine.json: *");
    }

    [Fact]
    public async Task Diff_shows_changes_by_container_without_env_values()
    {
        var before = await Generate(PodWith("    - name: app\n      image: registry.example/parma/hello:1.0\n      env:\n        - name: MODE\n          value: secret-old"));
        var after = await Generate(PodWith("    - name: app\n      image: registry.example/parma/log-shipper:2.1\n      env:\n        - name: MODE\n          value: secret-new\n      args: [\"-v\"]"));

        var changes = PolicyDiff.Compare(before.PolicyText, after.PolicyText);

        changes.Should().Contain(new PolicyChange("app", "process.env[MODE]", "value changed"));
        changes.Should().Contain(c => c.Container == "app" && c.Field == "layers");
        changes.Should().Contain(c => c.Container == "app" && c.Field == "process.args");
        changes.Select(c => c.Change).Should().NotContain(c => c.Contains("secret-", StringComparison.Ordinal));
        PolicyDiff.Compare(before.PolicyText, before.PolicyText).Should().BeEmpty();
    }
}
