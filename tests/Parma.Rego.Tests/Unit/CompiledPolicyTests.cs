namespace Parma.Rego.Tests.Unit;

public sealed class CompiledPolicyTests
{
    // Our own policy in the style of Kata's agent policy: defaults, request rules returning ops, state in data.pstate.
    private const string AgentPolicy = """
        package agent_policy

        default CreateContainerRequest := {"allowed": false}
        default ExecProcessRequest := false

        CreateContainerRequest := {"allowed": true, "ops": ops} if {
            some c in policy_data.containers
            c.image == input.image
            not input.container_id in object.keys(state_containers)
            ops := [{"op": "add", "path": concat("", ["/containers/", input.container_id]), "value": c.name}]
        }

        default state_containers := {}

        state_containers := data.pstate.containers

        ExecProcessRequest if {
            name := data.pstate.containers[input.container_id]
            some c in policy_data.containers
            c.name == name
            input.process.Args in c.exec
        }

        policy_data := {"containers": [
            {"name": "web", "image": "nginx@sha256:aa", "exec": [["/bin/ls"]]},
            {"name": "db", "image": "pg@sha256:bb", "exec": []},
        ]}
        """;

    private static readonly CompiledPolicy Policy = CompiledPolicy.Compile("agent.rego", AgentPolicy);

    [Fact]
    public void Decisions_use_a_mounted_state_document_updated_by_json_patch()
    {
        var state = Value.FromJson("""{"containers":{}}""");
        var create = Policy.EvaluateRule("data.agent_policy.CreateContainerRequest",
            Value.FromJson("""{"image":"nginx@sha256:aa","container_id":"c1"}"""), [new DataMount("data.pstate", state)])!;
        create["allowed"].Should().Be(Value.True);
        state = JsonPatch.Apply(state, create["ops"]!);

        var mounts = new[] { new DataMount("data.pstate", state) };
        Policy.EvaluateRule("data.agent_policy.ExecProcessRequest", Value.FromJson("""{"container_id":"c1","process":{"Args":["/bin/ls"]}}"""), mounts)
            .Should().Be(Value.True);
        Policy.EvaluateRule("data.agent_policy.ExecProcessRequest", Value.FromJson("""{"container_id":"c1","process":{"Args":["/bin/sh"]}}"""), mounts)
            .Should().Be(Value.False);
        Policy.EvaluateRule("data.agent_policy.CreateContainerRequest", Value.FromJson("""{"image":"nginx@sha256:aa","container_id":"c1"}"""), mounts)!
            ["allowed"].Should().Be(Value.False, "the container id is already in the state");
    }

    [Fact]
    public void Evaluate_returns_opa_shaped_results()
    {
        var results = Policy.Evaluate("x := data.agent_policy.policy_data.containers[i].name", null);
        results.Select(r => r.ToValue().ToJson()).Should().Equal(
            """{"bindings":{"i":0,"x":"web"},"expressions":[{"location":{"col":1,"row":1},"text":"x := data.agent_policy.policy_data.containers[i].name","value":true}]}""",
            """{"bindings":{"i":1,"x":"db"},"expressions":[{"location":{"col":1,"row":1},"text":"x := data.agent_policy.policy_data.containers[i].name","value":true}]}""");
        Policy.Evaluate("data.agent_policy.nothing_here").Should().BeEmpty();
    }

    [Fact]
    public void Concurrent_evaluations_are_independent()
    {
        Parallel.For(0, 200, i =>
        {
            var image = i % 2 == 0 ? "nginx@sha256:aa" : "evil@sha256:cc";
            var result = Policy.EvaluateRule("data.agent_policy.CreateContainerRequest", Value.FromJson($$"""{"image":"{{image}}","container_id":"c{{i}}"}"""))!;
            result["allowed"].Should().Be(Value.Bool(i % 2 == 0));
        });
    }

    [Fact]
    public void Print_writes_undefined_as_a_marker_and_does_not_fail_the_rule()
    {
        var lines = new List<string>();
        var policy = CompiledPolicy.Compile("p.rego", "package p\nallow if {\n print(\"value:\", input.missing, 1)\n}\n", options: new RegoOptions { PrintHook = lines.Add });
        policy.EvaluateRule("data.p.allow", Value.EmptyObject).Should().Be(Value.True);
        lines.Should().Equal("value: <undefined> 1");
    }

    [Fact]
    public void Conflicting_complete_rules_raise_eval_conflict_error()
    {
        var policy = CompiledPolicy.Compile("p.rego", "package p\nx := 1 if input.a\nx := 2 if input.b\n");
        policy.EvaluateRule("data.p.x", Value.FromJson("""{"a":true}""")).Should().Be(Value.Number(1));
        var act = () => policy.EvaluateRule("data.p.x", Value.FromJson("""{"a":true,"b":true}"""));
        act.Should().Throw<RegoException>().Which.Code.Should().Be("eval_conflict_error");
    }

    [Fact]
    public void With_replaces_input_and_data_for_one_expression()
    {
        var policy = CompiledPolicy.Compile("p.rego", "package p\nlimit := data.config.limit\nok if input.n < limit\ncheck if ok with input as {\"n\": 1} with data.config.limit as 5\n");
        policy.EvaluateRule("data.p.check").Should().Be(Value.True);
        policy.EvaluateRule("data.p.ok", Value.FromJson("""{"n":1}""")).Should().BeNull();
    }
}
