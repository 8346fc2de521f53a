using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Client;
using Parma.Kube.Errors;
using Parma.Kube.Resources;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.Api.Tests;

/// <summary>The generated CRD installs on the API server and its schema accepts and refuses what it should.</summary>
public sealed class CrdOnApiServerTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync(new TestApiServerOptions { InitialNamespaces = ["default", "demo"] });
        await _server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName)));
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(_server.Kubeconfig()));
        _client = KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_example_group_is_accepted_and_round_trips_fields_the_model_does_not_know()
    {
        var created = await _server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("examples", "confidential-pod-group.yaml")));
        created.Select(o => o["kind"]!.GetValue<string>()).Should().Contain(ParmaApi.Kind);

        var group = await _client.GetAsync<ConfidentialPodGroup>("hello", "demo");
        group.Spec.Replicas.Should().Be(2);
        group.Spec.Policy!.Exec!.Commands!.Should().ContainSingle().Which.Should().Equal("/bin/sh", "-c", "cat /proc/loadavg");
        group.Spec.Template.Spec!.Containers.Select(c => c.Name).Should().Equal("hello", "log-shipper");
        group.Metadata.Generation.Should().Be(1);

        group.Status = new ConfidentialPodGroupStatus { HostData = new string('a', 64), PolicyHash = "aaaaaaaaaaaa", Replicas = 0 };
        var withStatus = await _client.ReplaceStatusAsync(group);
        withStatus.Status!.HostData.Should().Be(new string('a', 64));

        withStatus.Spec.Replicas = 3;
        var replaced = await _client.ReplaceAsync(withStatus);
        replaced.Metadata.Generation.Should().Be(2);
    }

    [Fact]
    public async Task Template_fields_the_model_lacks_survive_a_patch()
    {
        await _server.CreateManifestsAsync(Group("", "unknown-fields").Replace(
            "image: registry.example/app:1", "image: registry.example/app:1\n        futureContainerField: [{resourceName: cpu}]"), "demo");
        var replaced = await _client.PatchAsync<ConfidentialPodGroup>("unknown-fields", "demo", KubePatch.Merge("""{"spec":{"replicas":2}}"""));
        replaced.Spec.Replicas.Should().Be(2);
        var raw = (JsonElement)await _client.CustomObjects.GetNamespacedCustomObjectAsync(ParmaApi.Group, ParmaApi.Version, "demo", ParmaApi.Plural, "unknown-fields");
        raw.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].TryGetProperty("futureContainerField", out _)
            .Should().BeTrue("the schema preserves the template's fields and a patch leaves what it does not name");
    }

    [Theory]
    [InlineData("format: bogus", "spec.policy.format")]
    [InlineData("layerVerification: sometimes", "spec.policy.layerVerification")]
    public async Task Bad_policy_values_are_refused_with_the_field_path(string policyLine, string field)
    {
        var act = () => _server.CreateManifestsAsync(Group($"  policy:\n    {policyLine}\n"), "demo");
        (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message.Should().Contain(field);
    }

    [Fact]
    public async Task Negative_replicas_and_a_missing_template_are_refused()
    {
        var negative = () => _server.CreateManifestsAsync(Group("  replicas: -1\n"), "demo");
        (await negative.Should().ThrowAsync<ManifestApplyException>()).Which.Message.Should().Contain("spec.replicas");

        var group = new ConfidentialPodGroup { Metadata = new V1ObjectMeta { Name = "empty", NamespaceProperty = "demo" } };
        group.Spec.Template = null!;
        var noTemplate = () => _client.CreateAsync(group);
        (await noTemplate.Should().ThrowAsync<KubeInvalidException>()).Which.Message.Should().Contain("spec.template");
    }

    [Fact]
    public async Task Max_unavailable_takes_a_count_or_a_percentage_only()
    {
        await _server.CreateManifestsAsync(Group("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 25%\n", "pct"), "demo");
        await _server.CreateManifestsAsync(Group("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 2\n", "count"), "demo");
        var act = () => _server.CreateManifestsAsync(Group("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: lots\n", "words"), "demo");
        (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message.Should().Contain("maxUnavailable");
    }

    private static string Group(string extraSpec, string name = "g") => $"""
        apiVersion: parma.dev/v1alpha1
        kind: ConfidentialPodGroup
        metadata:
          name: {name}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: registry.example/app:1
        {extraSpec}
        """;
}
