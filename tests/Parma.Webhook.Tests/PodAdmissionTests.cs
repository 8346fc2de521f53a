using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Policy.Output;
using Parma.Testing.ApiServer;

namespace Parma.Webhook.Tests;

/// <summary>Pods of a ConfidentialPodGroup through the test API server, which calls the webhook over TLS like kube-apiserver.</summary>
[Collection(WebhookCollection.Name)]
public sealed class PodAdmissionTests(WebhookFixture f)
{
    [Fact]
    public async Task An_operator_made_pod_is_admitted_unchanged_and_re_admission_yields_no_patch()
    {
        var pod = f.OperatorPod($"{WebhookFixture.GroupName}-{f.Policy.HostDataHex[..10]}-opmde");

        var mutation = await f.ReviewAsync("/mutate/pods", pod, WebhookFixture.GroupNamespace);
        mutation["allowed"]!.GetValue<bool>().Should().BeTrue();
        mutation.ContainsKey("patch").Should().BeFalse(mutation.ToJsonString());

        var created = await f.CreatePodAsync(pod);
        created["metadata"]!["annotations"]!.ToJsonString().Should().Be(pod["metadata"]!["annotations"]!.ToJsonString());
        created["spec"]!["tolerations"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Admissions_are_answered_from_the_informer_caches_without_reading_the_group_again()
    {
        var pod = f.OperatorPod();
        await f.ReviewAsync("/validate/pods", pod, WebhookFixture.GroupNamespace);
        int Reads() => f.Server.RequestLog.Count(line => line.StartsWith("GET ", StringComparison.Ordinal) && !line.Contains("watch=", StringComparison.Ordinal)
            && (line.Contains("/confidentialpodgroups", StringComparison.Ordinal) || line.Contains("/configmaps", StringComparison.Ordinal)));
        var before = Reads();

        for (var i = 0; i < 5; i++)
        {
            (await f.ReviewAsync("/mutate/pods", pod, WebhookFixture.GroupNamespace))["allowed"]!.GetValue<bool>().Should().BeTrue();
            (await f.ReviewAsync("/validate/pods", pod, WebhookFixture.GroupNamespace))["allowed"]!.GetValue<bool>().Should().BeTrue();
        }

        Reads().Should().Be(before);
    }

    [Fact]
    public async Task A_pod_that_only_names_its_group_is_stamped_and_stamping_again_changes_nothing()
    {
        var created = await f.CreatePodAsync(f.UserPod("hello-user-stamped"));

        var annotations = created["metadata"]!["annotations"]!.AsObject();
        annotations[PolicyAnnotations.AgentPolicyKey]!.GetValue<string>().Should().Be(f.Policy.Annotations.Value);
        annotations[PolicyAnnotations.HostDataKey]!.GetValue<string>().Should().Be(f.Policy.HostDataHex);
        created["metadata"]!["labels"]![ParmaLabels.PolicyHash]!.GetValue<string>().Should().Be(f.Policy.HostDataHex[..12]);
        created["spec"]!["runtimeClassName"]!.GetValue<string>().Should().Be("kata-qemu-snp");
        created["spec"]!["nodeSelector"]!.ToJsonString().Should().Be("""{"parma.dev/snp":"true","pool":"snp"}""");
        created["spec"]!["tolerations"]!.AsArray().Select(t => t!["key"]!.GetValue<string>()).Should().Equal("parma.dev/snp", "dedicated");

        var again = await f.ReviewAsync("/mutate/pods", created, WebhookFixture.GroupNamespace);
        again["allowed"]!.GetValue<bool>().Should().BeTrue();
        again.ContainsKey("patch").Should().BeFalse();
        (await f.ReviewAsync("/validate/pods", created, WebhookFixture.GroupNamespace))["allowed"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task A_pod_whose_policy_annotation_was_tampered_with_is_refused()
    {
        var pod = f.OperatorPod("hello-tampered");
        var tampered = f.Policy.PolicyText.Replace("\"GREETING=bonjour\"", "\"GREETING=evil\"", StringComparison.Ordinal);
        tampered.Should().NotBe(f.Policy.PolicyText);
        var annotations = PolicyAnnotations.For(tampered, PolicyFormat.AgentPolicy);
        pod["metadata"]!["annotations"]![PolicyAnnotations.AgentPolicyKey] = annotations.Value;
        pod["metadata"]!["annotations"]![PolicyAnnotations.HostDataKey] = annotations.HostDataHex;

        var act = () => f.CreatePodAsync(pod);

        var refusal = await act.Should().ThrowAsync<ManifestApplyException>();
        refusal.Which.Message.Should().Contain("check.pods.parma.dev")
            .And.Contain($"does not carry what ConfidentialPodGroup {WebhookFixture.GroupNamespace}/{WebhookFixture.GroupName} produces")
            .And.Contain("/metadata/annotations/io.katacontainers.config.agent.policy (differs)")
            .And.Contain("/metadata/annotations/parma.dev~1host-data (differs)");
    }

    [Fact]
    public async Task A_pod_claiming_a_group_of_another_namespace_is_refused()
    {
        var pod = f.OperatorPod("hello-foreign");
        pod["metadata"]!["namespace"] = WebhookFixture.OtherNamespace;

        var act = () => f.CreatePodAsync(pod);

        var refusal = await act.Should().ThrowAsync<ManifestApplyException>();
        refusal.Which.Message.Should().Contain($"ConfidentialPodGroup {WebhookFixture.GroupName} is in namespace {WebhookFixture.GroupNamespace}, not {WebhookFixture.OtherNamespace}");
    }

    [Fact]
    public async Task A_pod_naming_a_missing_group_is_refused()
    {
        var pod = f.UserPod("nogroup");
        pod["metadata"]!["labels"]![ParmaLabels.Group] = "missing";

        var act = () => f.CreatePodAsync(pod);

        (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message
            .Should().Contain($"ConfidentialPodGroup {WebhookFixture.GroupNamespace}/missing does not exist");
    }

    [Fact]
    public async Task A_pod_whose_container_the_policy_would_deny_is_refused_with_the_policy_s_reason()
    {
        var pod = f.OperatorPod("hello-preflight");
        pod["spec"]!["containers"]![0]!["command"] = new JsonArray("/bin/sh", "-c", "cat /etc/shadow");

        var act = () => f.CreatePodAsync(pod);

        var refusal = await act.Should().ThrowAsync<ManifestApplyException>();
        refusal.Which.Message.Should().Contain("would refuse it: CreateContainerRequest is blocked by policy:")
            .And.Contain("pre-flight: create container hello");
    }

    [Fact]
    public async Task The_policy_of_an_admitted_pod_cannot_be_changed_by_an_update()
    {
        var pod = f.OperatorPod("hello-update");
        var changed = pod.DeepClone().AsObject();
        changed["metadata"]!["annotations"]![PolicyAnnotations.HostDataKey] = new string('0', 64);

        var response = await f.ReviewAsync("/validate/pods", changed, WebhookFixture.GroupNamespace, "UPDATE", pod);

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["message"]!.GetValue<string>().Should().Contain("metadata.annotations[parma.dev/host-data]");
        var labelOnly = pod.DeepClone().AsObject();
        labelOnly["metadata"]!["labels"]!["tier"] = "web";
        (await f.ReviewAsync("/validate/pods", labelOnly, WebhookFixture.GroupNamespace, "UPDATE", pod))["allowed"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Plain_pods_pass_untouched()
    {
        var plain = f.UserPod("plain", WebhookFixture.OtherNamespace);
        plain["metadata"]!["labels"]!.AsObject().Remove(ParmaLabels.Group);
        foreach (var ns in new[] { WebhookFixture.OtherNamespace, WebhookFixture.OptInNamespace })
        {
            plain["metadata"]!["namespace"] = ns;
            var mutation = await f.ReviewAsync("/mutate/pods", plain, ns);
            mutation["allowed"]!.GetValue<bool>().Should().BeTrue();
            mutation.ContainsKey("patch").Should().BeFalse();
            (await f.ReviewAsync("/validate/pods", plain, ns))["allowed"]!.GetValue<bool>().Should().BeTrue();
        }
    }
}
