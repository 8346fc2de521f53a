using System.Text;
using System.Text.Json.Nodes;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Tests.Support;
using Parma.Testing.Registry;

namespace Parma.Operator.Tests;

/// <summary>A changed pull secret re-queues the groups that resolve images with it, at once rather than at the next image recheck.</summary>
[Collection(OperatorCollection.Name)]
public sealed class PullSecretTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;
    private TokenAuthProxy _private = null!;

    public async Task InitializeAsync()
    {
        _private = TokenAuthProxy.Start(images.Registry, "parma", "secret");
        _harness = await OperatorHarness.StartAsync(images, moreInsecureRegistries: [_private.Host]);
        // An hour between image rechecks: only the Secret watch can explain a prompt re-resolution.
        await _harness.StartOperatorAsync(leaderElect: false, extraArgs: ["--image-recheck-interval", "3600"]);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _private.DisposeAsync();
    }

    [Fact]
    public async Task Changing_a_pull_secret_re_resolves_the_images_of_the_groups_that_use_it()
    {
        await _harness.Client.CreateAsync(PullSecret("regcred", "secret"));
        await _harness.CreateGroupAsync("private", $"{_private.Host}/parma/hello:v1", replicas: 1,
            extraSpec: "  policy:\n    imagePullSecrets:\n      - name: regcred");
        await _harness.CreateGroupAsync("public", images.Hello, replicas: 1);
        var healthy = await _harness.WaitRolledOutAsync("private", 1);
        await _harness.WaitRolledOutAsync("public", 1);
        var pods = await _harness.PodsAsync("private");
        var publicReads = GroupReads("public");
        publicReads.Should().BeGreaterThan(0, "the count sees the group's reconciles");

        // Wrong credentials: the next resolution through the token-auth registry fails.
        await _harness.Client.ReplaceAsync(WithResourceVersion(PullSecret("regcred", "wrong"), await _harness.Client.GetAsync<V1Secret>("regcred", "default")));
        var failed = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("private");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "False/ImageResolutionFailed" ? group : null;
        }, "PolicyReady=False/ImageResolutionFailed after the pull secret changed", TimeSpan.FromSeconds(20));
        ConditionList.Find(failed.Status!.Conditions, GroupConditions.PolicyReady)!.Message.Should().Contain(_private.Host);
        (await _harness.PodsAsync("private")).Select(p => p.Metadata.Uid).Should().BeEquivalentTo(pods.Select(p => p.Metadata.Uid), "running pods keep their policy");
        GroupReads("public").Should().Be(publicReads, "a group that does not use the secret is not re-queued");

        var tokens = _private.TokensIssued;
        await _harness.Client.ReplaceAsync(WithResourceVersion(PullSecret("regcred", "secret", "rotated"), await _harness.Client.GetAsync<V1Secret>("regcred", "default")));
        var recovered = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("private");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "True/PolicyGenerated" ? group : null;
        }, "PolicyReady=True with the corrected secret", TimeSpan.FromSeconds(20));
        recovered.Status!.HostData.Should().Be(healthy.Status!.HostData, "the same image gives the same policy");
        _private.TokensIssued.Should().BeGreaterThan(tokens, "the image was resolved again with the new credentials");
    }

    /// <summary>Reconciles of the group: each lists the group's pods live (the group itself is read from the cache).</summary>
    private int GroupReads(string name) =>
        _harness.Server.RequestLog.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/pods?", StringComparison.Ordinal)
            && Uri.UnescapeDataString(r).Contains($"{ParmaLabels.Group}={name}", StringComparison.Ordinal));

    private V1Secret PullSecret(string name, string password, string? note = null)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"parma:{password}"));
        var dockerConfig = new JsonObject { ["auths"] = new JsonObject { [_private.Host] = new JsonObject { ["auth"] = auth } } };
        if (note is not null)
        {
            // A different payload with the same credentials: a new credential key, so the image is resolved again.
            dockerConfig["note"] = note;
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "kubernetes.io/dockerconfigjson",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(dockerConfig.ToJsonString()) },
        };
    }

    private static V1Secret WithResourceVersion(V1Secret secret, V1Secret current)
    {
        secret.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        return secret;
    }
}
