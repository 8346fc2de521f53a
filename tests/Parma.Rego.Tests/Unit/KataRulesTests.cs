using Parma.Testing;

namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Stock genpolicy rules (testdata/kata, see its NOTICE) load and decide as kata-agent loads them: the 2024 rules are
/// Rego v0 (regorus 0.1–0.2 read every module as v0), the 2026 rules are valid v1 (regorus 0.9 reads every module as
/// v1). A generated policy is the rules plus a `policy_data` document; the test supplies a small one of its own.
/// </summary>
public sealed class KataRulesTests
{
    private const string PolicyData = """
        package agent_policy

        policy_data := {
            "common": {
                "cpath": "/run/kata-containers/shared/containers",
                "mount_source_cpath": "/run/kata-containers/shared/containers",
                "sfprefix": "^$(cpath)/$(bundle-id)-[a-z0-9]{16}-"
            },
            "request_defaults": {
                "CopyFileRequest": ["$(sfprefix)"],
                "ExecProcessRequest": {"allowed_commands": [], "regex": []},
                "ReadStreamRequest": true,
                "UpdateEphemeralMountsRequest": false,
                "WriteStreamRequest": false,
                "CloseStdinRequest": false
            },
            "containers": [],
            "sandbox": {"storages": []}
        }
        """;

    public static TheoryData<string> Rules() => new() { "rules-2024-08-20.rego", "rules-2026-08-14.rego" };

    private static string Text(string file) => File.ReadAllText(RepoPaths.InRepo("tests", "Parma.Rego.Tests", "testdata", "kata", file));

    private static CompiledPolicy Load(string file, RegoVersion version = RegoVersion.Auto) =>
        CompiledPolicy.Compile([("rules.rego", Text(file)), ("policy_data.rego", PolicyData)], options: new RegoOptions { Version = version });

    private static readonly string SharedFile = "/run/kata-containers/shared/containers/" + new string('a', 64) + "-0123456789abcdef-hostname";

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_rules_load_and_decide(string file)
    {
        var policy = Load(file);
        policy.EvaluateRule("data.agent_policy.DestroySandboxRequest", Value.EmptyObject).Should().Be(Value.True);
        policy.EvaluateRule("data.agent_policy.AllowRequestsFailingPolicy", Value.EmptyObject).Should().Be(Value.False);
        policy.EvaluateRule("data.agent_policy.ReadStreamRequest", Value.EmptyObject).Should().Be(Value.True);
        policy.EvaluateRule("data.agent_policy.WriteStreamRequest", Value.EmptyObject).Should().Be(Value.False);
        policy.EvaluateRule("data.agent_policy.CreateContainerRequest", Value.FromJson("""{"OCI": {}}""")).Should().Be(Value.False);

        var copy = Value.FromJson($$"""{"path": "{{SharedFile}}", "file_type": "Regular"}""");
        policy.EvaluateRule("data.agent_policy.CopyFileRequest", copy).Should().Be(Value.True);
        var traversal = Value.FromJson($$"""{"path": "{{SharedFile}}/../../etc/shadow", "file_type": "Regular"}""");
        policy.EvaluateRule("data.agent_policy.CopyFileRequest", traversal).Should().Be(Value.False);
        var elsewhere = Value.FromJson("""{"path": "/etc/shadow", "file_type": "Regular"}""");
        policy.EvaluateRule("data.agent_policy.CopyFileRequest", elsewhere).Should().Be(Value.False);

        var sandbox = Value.FromJson("""{"guest_hook_path": "", "kernel_modules": [], "sandbox_pidns": false, "storages": []}""");
        policy.EvaluateRule("data.agent_policy.CreateSandboxRequest", sandbox).Should().Be(Value.True);
        var hooked = Value.FromJson("""{"guest_hook_path": "/hooks", "kernel_modules": [], "sandbox_pidns": false, "storages": []}""");
        policy.EvaluateRule("data.agent_policy.CreateSandboxRequest", hooked).Should().Be(Value.False);
    }

    [Fact]
    public void The_2024_rules_are_v0_and_the_2026_rules_are_v1()
    {
        var strictV1 = () => Load("rules-2024-08-20.rego", RegoVersion.V1);
        strictV1.Should().Throw<RegoException>().Which.Message.Should().Contain("`if` keyword is required");
        Load("rules-2026-08-14.rego", RegoVersion.V1).EvaluateRule("data.agent_policy.DestroySandboxRequest", Value.EmptyObject).Should().Be(Value.True);
        Load("rules-2024-08-20.rego", RegoVersion.V0).EvaluateRule("data.agent_policy.DestroySandboxRequest", Value.EmptyObject).Should().Be(Value.True);
        Load("rules-2026-08-14.rego", RegoVersion.V0).EvaluateRule("data.agent_policy.DestroySandboxRequest", Value.EmptyObject).Should().Be(Value.True);
    }
}
