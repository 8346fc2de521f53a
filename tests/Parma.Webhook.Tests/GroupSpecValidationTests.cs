using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Webhook.Tests;

/// <summary>/validate/confidentialpodgroups refuses specs the operator could not turn into a policy, naming the fields.</summary>
[Collection(WebhookCollection.Name)]
public sealed class GroupSpecValidationTests(WebhookFixture f)
{
    private static string Group(string name, string extraSpec) => $"""
        apiVersion: parma.dev/v1alpha1
        kind: ConfidentialPodGroup
        metadata:
          name: {name}
          namespace: {WebhookFixture.OtherNamespace}
        spec:
        {extraSpec}
          template:
            spec:
              containers:
                - name: app
                  image: registry.example/app:1
        """;

    [Fact]
    public async Task A_runtime_class_the_settings_do_not_allow_is_refused()
    {
        var act = () => f.Server.CreateManifestsAsync(Group("runc", "  runtimeClassName: runc"));

        (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message
            .Should().Contain("spec.runtimeClassName: 'runc' is not a RuntimeClass the settings allow (kata-qemu-snp)");
    }

    [Fact]
    public async Task A_template_the_official_pod_schema_refuses_is_refused_at_apply_time_with_the_field_paths()
    {
        // The CRD keeps the template's schema open (so that a client-side kubectl apply fits); the webhook checks it.
        var act = () => f.Server.CreateManifestsAsync(Group("bad-template", "").Replace(
            "image: registry.example/app:1",
            "image: registry.example/app:1\n          imagePullPolcy: Always\n          ports: [{containerPort: eighty}]"));

        var message = (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message;
        message.Should().Contain("spec.template.spec.containers[0].imagePullPolcy: field not declared in schema")
            .And.Contain("spec.template.spec.containers[0].ports[0].containerPort");
        (await f.Client.GetOrDefaultAsync<ConfidentialPodGroup>("bad-template", WebhookFixture.OtherNamespace)).Should().BeNull("the group was refused, not stored");
    }

    [Fact]
    public async Task A_template_with_only_official_pod_fields_is_admitted()
    {
        await f.Server.CreateManifestsAsync(Group("good-template", "").Replace(
            "image: registry.example/app:1",
            "image: registry.example/app:1\n          imagePullPolicy: Always\n          ports: [{containerPort: 8080, name: http}]\n          livenessProbe: {httpGet: {path: /healthz, port: http}}"));
    }

    [Fact]
    public async Task Regular_expressions_that_are_not_RE2_are_refused_with_their_index()
    {
        var act = () => f.Server.CreateManifestsAsync(Group("regex", """
              policy:
                exec:
                  regex:
                    - ["/bin/ls", "-l|-a"]
                    - ["/bin/cat", "^(?=lookahead)"]
                    - ["([a-z]"]
            """));

        var message = (await act.Should().ThrowAsync<ManifestApplyException>()).Which.Message;
        message.Should().Contain("spec.policy.exec.regex[1][1]").And.Contain("spec.policy.exec.regex[2][0]").And.NotContain("regex[0]");
    }

    [Fact]
    public async Task Exec_commands_that_are_not_arrays_of_strings_are_refused()
    {
        var group = new JsonObject
        {
            ["apiVersion"] = "parma.dev/v1alpha1",
            ["kind"] = "ConfidentialPodGroup",
            ["metadata"] = new JsonObject { ["name"] = "exec", ["namespace"] = WebhookFixture.OtherNamespace },
            ["spec"] = new JsonObject
            {
                ["policy"] = new JsonObject { ["exec"] = new JsonObject { ["commands"] = new JsonArray(new JsonArray("/bin/ls"), "/bin/sh -c id") } },
                ["template"] = new JsonObject(),
            },
        };

        var response = await f.ReviewAsync("/validate/confidentialpodgroups", group, WebhookFixture.OtherNamespace,
            kind: new JsonObject { ["group"] = "parma.dev", ["version"] = "v1alpha1", ["kind"] = "ConfidentialPodGroup" });

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["code"]!.GetValue<int>().Should().Be(422);
        response["status"]!["message"]!.GetValue<string>().Should().Contain("spec.policy.exec.commands[1]: must be an array of strings");
    }

    [Fact]
    public async Task A_valid_group_is_admitted()
    {
        var created = await f.Server.CreateManifestsAsync(Group("valid", """
              runtimeClassName: kata-qemu-snp
              policy:
                format: initdata
                exec:
                  commands:
                    - ["/bin/date"]
                  regex:
                    - ["/bin/ls", "-l"]
            """));

        created.Should().ContainSingle();
    }
}
