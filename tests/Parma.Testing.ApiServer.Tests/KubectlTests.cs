using Parma.Testing.ApiServer;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>
/// kubectl 1.33 against the test API server, without the operator: discovery, server-side apply with
/// server-side field validation, printer columns, wait, and the errors kubectl relays. The run with the
/// real operator and webhook is in Parma.Chart.Tests (KubectlEndToEndTests).
/// </summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _kubectl = new Kubectl(_server.Kubeconfig());
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Discovery_finds_the_builtins_and_a_crd_applied_server_side()
    {
        var before = await _kubectl.SucceedAsync("api-resources");
        before.Should().MatchRegex(@"(?m)^pods\s+po\s+v1\s+true\s+Pod\s*$");
        before.Should().NotContain("confidentialpodgroups");

        (await _kubectl.SucceedAsync("apply", "--server-side", "-f", "crds/"))
            .Should().Contain("customresourcedefinition.apiextensions.k8s.io/confidentialpodgroups.parma.dev serverside-applied");

        (await _kubectl.SucceedAsync("api-resources", "--api-group=parma.dev"))
            .Should().MatchRegex(@"(?m)^confidentialpodgroups\s+cpg\s+parma\.dev/v1alpha1\s+true\s+ConfidentialPodGroup\s*$");
        (await _kubectl.RunAsync("get", "cpg")).StandardError.Should().Contain("No resources found in default namespace.");
        (await _kubectl.SucceedAsync("get", "namespaces")).Should().MatchRegex(@"(?m)^NAME\s+CREATED AT\s*$").And.MatchRegex(@"(?m)^default\s+\d{4}-\d\d-\d\dT");
        _server.RequestLog.Should().NotContain(r => r.StartsWith("GET /apis/apps/v1?", StringComparison.Ordinal),
            "kubectl reads every group from the aggregated document instead of asking group by group");
    }

    [Fact]
    public async Task Get_prints_the_crd_printer_columns_empty_until_the_status_has_values()
    {
        await _kubectl.SucceedAsync("apply", "--server-side", "-f", "crds/");
        await ApplyAsync(Group("hello"));

        var pending = await _kubectl.SucceedAsync("get", "confidentialpodgroups");
        pending.Should().MatchRegex(@"(?m)^NAME\s+REPLICAS\s+READY\s+HOSTDATA\s+POLICY\s+AGE\s*$");
        pending.Should().MatchRegex(@"(?m)^hello\s+2\s+\d+s\s*$", "a column whose path finds nothing is an empty cell");

        await _kubectl.SucceedAsync("patch", "cpg", "hello", "--subresource=status", "--type=merge", "-p",
            """{"status":{"readyReplicas":1,"policyHash":"0123456789ab","conditions":[{"type":"Available","status":"False","reason":"Rollout","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"},{"type":"PolicyReady","status":"True","reason":"Generated","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}""");
        (await _kubectl.SucceedAsync("get", "cpg", "hello"))
            .Should().MatchRegex(@"(?m)^hello\s+2\s+1\s+0123456789ab\s+True\s+\d+s\s*$", "Policy comes from the PolicyReady condition through a JSONPath filter");
    }

    [Fact]
    public async Task Server_side_apply_reports_a_conflict_between_managers_until_forced()
    {
        await ApplyAsync(ConfigMap("settings", "a"), "--field-manager=first");

        var conflict = await _kubectl.RunWithInputAsync(ConfigMap("settings", "b"), "apply", "--server-side", "--field-manager=second", "-f", "-");
        conflict.ExitCode.Should().NotBe(0);
        conflict.StandardError.Should().Contain("Apply failed with 1 conflict: conflict with \"first\": .data.mode");

        await ApplyAsync(ConfigMap("settings", "b"), "--field-manager=second", "--force-conflicts");
        (await _kubectl.SucceedAsync("get", "configmap", "settings", "-o", "jsonpath={.data.mode}")).Should().Be("b");
        (await _kubectl.SucceedAsync("get", "configmap", "settings", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}"))
            .Should().Be("second");
    }

    [Fact]
    public async Task Server_side_field_validation_refuses_an_unknown_field()
    {
        await _kubectl.SucceedAsync("apply", "--server-side", "-f", "crds/");

        var result = await _kubectl.RunWithInputAsync(Group("typo").Replace("replicas: 2", "replicas: 2\n  replicaz: 3", StringComparison.Ordinal), "apply", "--server-side", "-f", "-");

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("unknown field \"spec.replicaz\"");
        _server.RequestLog.Should().Contain(r => r.Contains("fieldValidation=Strict", StringComparison.Ordinal), "kubectl leaves validation to the server");
    }

    [Fact]
    public async Task Wait_returns_when_a_watched_condition_turns_true()
    {
        await _kubectl.SucceedAsync("apply", "--server-side", "-f", "crds/");
        await ApplyAsync(Group("hello"));

        var wait = _kubectl.RunAsync("wait", "--for=condition=Available", "confidentialpodgroup/hello", "--timeout=30s");
        await Eventually(() => _server.RequestLog.Any(r => r.Contains("watch=true", StringComparison.Ordinal) && r.Contains("metadata.name%3Dhello", StringComparison.Ordinal)));
        wait.IsCompleted.Should().BeFalse("the condition is not there yet");
        await _kubectl.SucceedAsync("patch", "cpg", "hello", "--subresource=status", "--type=merge", "-p",
            """{"status":{"conditions":[{"type":"Available","status":"True","reason":"Ready","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}""");

        var result = await wait;
        result.EnsureSuccess("kubectl wait").StandardOutput.Should().Contain("confidentialpodgroup.parma.dev/hello condition met");
    }

    [Fact]
    public async Task Client_side_apply_works_and_meets_the_annotation_size_limit_a_cluster_enforces()
    {
        // The CRDs stay small enough for a client-side apply, whose last-applied annotation holds the whole object.
        (await _kubectl.SucceedAsync("apply", "-f", "crds/")).Should().Contain("confidentialpodgroups.parma.dev created");
        (await _kubectl.SucceedAsync("apply", "-f", "crds/")).Should().Contain("confidentialpodgroups.parma.dev unchanged");

        var big = ConfigMap("big", new string('x', 300 * 1024));
        var clientSide = await _kubectl.RunWithInputAsync(big, "apply", "-f", "-");
        clientSide.ExitCode.Should().NotBe(0);
        clientSide.StandardError.Should().Contain("ConfigMap \"big\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes");
        (await _kubectl.RunWithInputAsync(big, "apply", "--server-side", "-f", "-")).EnsureSuccess("a server-side apply writes no such annotation");
    }

    [Fact]
    public async Task A_typed_command_sending_protobuf_is_refused_with_a_message_naming_it()
    {
        var result = await _kubectl.RunAsync("create", "namespace", "demo");

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("does not decode application/vnd.kubernetes.protobuf");
    }

    private async Task ApplyAsync(string yaml, params string[] flags)
    {
        var result = await _kubectl.RunWithInputAsync(yaml, ["apply", "--server-side", .. flags, "-f", "-"]);
        result.EnsureSuccess("kubectl apply --server-side -f -");
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !condition(); await Task.Delay(50))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not hold in 30 s");
            }
        }
    }

    private static string Group(string name) => $"""
        apiVersion: parma.dev/v1alpha1
        kind: ConfidentialPodGroup
        metadata:
          name: {name}
        spec:
          replicas: 2
          template:
            spec:
              containers:
                - name: app
                  image: registry.example/parma/hello:1.0
        """;

    private static string ConfigMap(string name, string mode) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          mode: {mode}
        """;
}
