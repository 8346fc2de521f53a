using System.Text;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Events;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>When the policy cannot be produced the status says why, an event is recorded, and running pods are left alone.</summary>
[Collection(OperatorCollection.Name)]
public sealed class PolicyFailureTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await OperatorHarness.StartAsync(images);
        await _harness.StartOperatorAsync();
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task An_unresolvable_image_sets_PolicyReady_false_and_leaves_running_pods_alone()
    {
        await _harness.CreateGroupAsync("stuck", images.Hello, replicas: 2);
        var healthy = await _harness.WaitRolledOutAsync("stuck", 2);
        var pods = await _harness.PodsAsync("stuck");

        var missing = $"{images.Registry.Host}/parma/missing:v9";
        await _harness.PatchGroupAsync("stuck", ImagePatch(missing));

        var failed = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("stuck");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "False/ImageResolutionFailed" ? group : null;
        }, "PolicyReady=False");
        var condition = ConditionList.Find(failed.Status!.Conditions, GroupConditions.PolicyReady)!;
        condition.Message.Should().Contain(missing).And.Contain(healthy.Status!.HostData!, "the message says which image and that pods keep their policy");
        OperatorHarness.Condition(failed, GroupConditions.Degraded).Should().Be("True/ImageResolutionFailed");
        failed.Status.HostData.Should().Be(healthy.Status.HostData, "the last good policy stays in force");

        // The operator retries with backoff; after a few failed attempts the pods are still the same ones.
        await Eventually.TrueAsync(async () =>
        {
            var events = await _harness.Client.ListAsync<Corev1Event>("default");
            return events.Items.Any(e => e.Reason == GroupConditions.Reasons.ImageResolutionFailed && e.Type == "Warning" && e.Count >= 2);
        }, "a repeated ImageResolutionFailed warning event");
        (await _harness.PodsAsync("stuck")).Select(p => (p.Metadata.Uid, p.Metadata.ResourceVersion))
            .Should().BeEquivalentTo(pods.Select(p => (p.Metadata.Uid, p.Metadata.ResourceVersion)), "running pods are not touched");

        await _harness.PatchGroupAsync("stuck", ImagePatch(images.Hello));
        var recovered = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("stuck");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "True/PolicyGenerated" ? group : null;
        }, "PolicyReady=True again");
        recovered.Status!.HostData.Should().Be(healthy.Status.HostData, "generation is deterministic");
    }

    [Fact]
    public async Task A_policy_over_the_annotation_budget_is_refused_with_advice_and_initdata_fits()
    {
        var commands = new StringBuilder("  policy:\n    exec:\n      commands:\n");
        for (var i = 0; i < 250; i++)
        {
            commands.Append($"        - [\"/bin/echo\", \"{i}-{new string('x', 900)}\"]\n");
        }

        await _harness.CreateGroupAsync("huge", images.Hello, replicas: 1, extraSpec: commands.ToString().TrimEnd('\n'));
        var refused = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("huge");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "False/PolicyTooLarge" ? group : null;
        }, "PolicyReady=False/PolicyTooLarge");
        ConditionList.Find(refused.Status!.Conditions, GroupConditions.PolicyReady)!.Message.Should().Contain("256 KiB").And.Contain("initdata");
        (await _harness.PodsAsync("huge")).Should().BeEmpty();

        await _harness.PatchGroupAsync("huge", """{"spec":{"policy":{"format":"initdata"}}}""");
        await _harness.WaitRolledOutAsync("huge", 1);
    }

    [Fact]
    public async Task A_runtime_class_the_settings_do_not_allow_is_refused()
    {
        await _harness.CreateGroupAsync("rogue", images.Hello, replicas: 1, extraSpec: "  runtimeClassName: runc");
        var refused = await Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync("rogue");
            return OperatorHarness.Condition(group, GroupConditions.PolicyReady) == "False/InvalidSpec" ? group : null;
        }, "PolicyReady=False/InvalidSpec");
        ConditionList.Find(refused.Status!.Conditions, GroupConditions.PolicyReady)!.Message.Should().Contain("'runc'").And.Contain("kata-qemu-snp");
        (await _harness.PodsAsync("rogue")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_settings_ConfigMap_blocks_until_it_is_created()
    {
        await _harness.CreateGroupAsync("tuned", images.Hello, replicas: 1, extraSpec: "  policy:\n    settingsRef:\n      name: tuned-settings");
        await Eventually.TrueAsync(
            async () => OperatorHarness.Condition(await _harness.GroupAsync("tuned"), GroupConditions.PolicyReady) == "False/SettingsNotFound",
            "PolicyReady=False/SettingsNotFound");

        await _harness.Client.CreateAsync(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "tuned-settings", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["settings.json"] = "[]" },
        });

        await _harness.WaitRolledOutAsync("tuned", 1);
    }

    private static string ImagePatch(string image) =>
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\",\"env\":[{\"name\":\"GREETING\",\"value\":\"bonjour\"}]}]}}}}";
}
