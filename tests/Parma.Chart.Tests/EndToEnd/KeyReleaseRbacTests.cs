using Parma.Api;
using Parma.Attestation.KeyRelease;
using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.KeyRelease;
using Parma.Testing.ApiServer;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>The key-release ServiceAccount's rules cover the reads of a group-bound key policy, and nothing more.</summary>
public sealed class KeyReleaseRbacTests
{
    private const string User = "system:serviceaccount:parma-system:parma-operator-key-release";

    [Fact]
    public async Task Key_release_rules_cover_exactly_what_a_group_bound_policy_reads()
    {
        var chart = await Helm.TemplateAsync("parma-system", "--set", "keyRelease.enabled=true", "--set", "keyRelease.existingSecret=keys");
        await using var server = await TestApiServer.StartAsync();
        var recorder = RequestRecorder.Attach(server);
        await server.CreateManifestsAsync(await File.ReadAllTextAsync(Path.Combine(Helm.ChartDirectory, "crds", ConfidentialPodGroupCrd.FileName)));
        await server.CreateManifestsAsync("""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: hello
            spec:
              template:
                spec:
                  containers:
                    - name: hello
                      image: registry.example/parma/hello:1.0
            """);
        using var client = new KubernetesClient(KubeConfigLoader.LoadYaml(server.Kubeconfig(User)), ParmaJson.Options);

        var allowed = await new KubernetesHostDataSource(client).GetAllowedHostDataAsync(new GroupReference("default", "hello"), CancellationToken.None);

        allowed.Should().BeEmpty("the group has no status.hostData and no pods yet");
        var rules = new RbacRules(chart, "parma-system", "parma-operator-key-release");
        var calls = recorder.By(User);
        calls.Should().NotBeEmpty().And.OnlyContain(c => rules.Allows(c));
        rules.Granted.Should().BeEquivalentTo(calls.Select(RbacRules.Grant).Distinct());

        var withoutGroupAccess = await Helm.TemplateAsync("parma-system",
            "--set", "keyRelease.enabled=true", "--set", "keyRelease.existingSecret=keys", "--set", "keyRelease.groupAccess=false");
        new RbacRules(withoutGroupAccess, "parma-system", "parma-operator-key-release").Granted.Should().BeEmpty();
        withoutGroupAccess.Deployment("key-release")["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!.GetValue<bool>().Should().BeFalse();
    }
}
