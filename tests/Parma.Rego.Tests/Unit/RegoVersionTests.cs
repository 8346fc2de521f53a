namespace Parma.Rego.Tests.Unit;

/// <summary>
/// Rego v0 and v1 syntax, per module: the rules each version requires, what each one means, and the
/// <see cref="RegoVersion.Auto"/> reading that loads policies written for either (as kata-agent has over time).
/// </summary>
public sealed class RegoVersionTests
{
    private const string V0Module = """
        package v0
        import future.keywords.in

        default allow = false
        allow { input.role == "admin" }
        allow { some r in input.roles; r == "admin" }

        deny[msg] { input.user == ""; msg := "no user" }
        deny[msg] { not input.role; msg := "no role" }

        labels[k] = v { some k, v in input.labels; startswith(k, "app") }

        limit = 10 { input.big } else = 1 { true }
        """;

    private const string V1Module = """
        package v1
        import rego.v1

        default allow := false
        allow if input.role == "admin"
        allow if { some r in input.roles; r == "admin" }

        deny contains msg if { input.user == ""; msg := "no user" }
        deny contains msg if { not input.role; msg := "no role" }

        labels[k] := v if { some k, v in input.labels; startswith(k, "app") }

        limit := 10 if input.big
        else := 1
        """;

    private static readonly Value Input = Value.FromJson("""{"user": "", "roles": ["admin"], "labels": {"app": "a", "tier": "t"}}""");

    private static CompiledPolicy Compile(string text, RegoVersion version) =>
        CompiledPolicy.Compile("m.rego", text, options: new RegoOptions { Version = version });

    [Theory]
    [InlineData(V0Module, "v0", RegoVersion.V0)]
    [InlineData(V0Module, "v0", RegoVersion.Auto)]
    [InlineData(V1Module, "v1", RegoVersion.V1)]
    [InlineData(V1Module, "v1", RegoVersion.Auto)]
    [InlineData(V1Module, "v1", RegoVersion.V0)]
    public void The_same_policy_in_v0_and_v1_syntax_decides_the_same(string text, string package, RegoVersion version)
    {
        var policy = Compile(text, version);
        policy.EvaluateRule($"data.{package}.allow", Input).Should().Be(Value.True);
        policy.EvaluateRule($"data.{package}.deny", Input).Should().Be(Value.Set([Value.String("no user"), Value.String("no role")]));
        policy.EvaluateRule($"data.{package}.labels", Input).Should().Be(Value.FromJson("""{"app": "a"}"""));
        policy.EvaluateRule($"data.{package}.limit", Input).Should().Be(Value.Number(1));
        policy.EvaluateRule($"data.{package}.allow", Value.FromJson("""{"roles": []}""")).Should().Be(Value.False);
    }

    [Theory]
    [InlineData("package p\nallow { true }\n", "`if` keyword is required")]
    [InlineData("package p\ndeny[msg] { msg := \"x\" }\n", "`if` keyword is required")]
    [InlineData("package p\nimport future.keywords.in\nallow { 1 in [1] }\n", "`if` keyword is required")]
    public void Strict_v1_refuses_v0_rule_bodies(string text, string message)
    {
        var act = () => Compile(text, RegoVersion.V1);
        act.Should().Throw<RegoException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Strict_v1_requires_contains_for_multi_value_rules_and_reads_p_x_as_an_object()
    {
        var act = () => Compile("package p\ndeny[msg]\n", RegoVersion.V1);
        act.Should().Throw<RegoException>().Which.Code.Should().Be("rego_parse_error");
        Compile("package p\nq[x] if x := \"k\"\n", RegoVersion.V1).EvaluateRule("data.p.q").Should().Be(Value.FromJson("""{"k": true}"""));
    }

    [Fact]
    public void V0_keywords_are_only_keywords_once_imported()
    {
        var act = () => Compile("package p\nallow { 1 in [1] }\n", RegoVersion.V0);
        act.Should().Throw<RegoException>().Which.Code.Should().Be("rego_parse_error");
        Compile("package p\nimport future.keywords\nallow if { every x in [1] { x in [1] } }\n", RegoVersion.V0)
            .EvaluateRule("data.p.allow").Should().Be(Value.True);
        Compile("package p\nimport future.keywords.contains\nimport future.keywords.if\nq contains 1 if true\n", RegoVersion.V0)
            .EvaluateRule("data.p.q").Should().Be(Value.Set([Value.Number(1)]));
    }

    [Fact]
    public void Auto_reads_each_module_of_one_policy_in_its_own_syntax()
    {
        var policy = CompiledPolicy.Compile(
            [("old.rego", "package old\nnames[n] { n := input.names[_] }\n"),
             ("new.rego", "package new\nimport rego.v1\nok if count(data.old.names) == 2\n")]);
        policy.EvaluateRule("data.new.ok", Value.FromJson("""{"names": ["a", "b", "a"]}""")).Should().Be(Value.True);
        policy.EvaluateRule("data.old.names", Value.FromJson("""{"names": ["a"]}""")).Should().Be(Value.Set([Value.String("a")]));
    }

    [Fact]
    public void Auto_prefers_v1_when_a_module_is_valid_in_both()
    {
        // In v0 with future.keywords.if, OPA reads `q[x] if …` as a partial set; regorus (kata-agent's engine) and v1 read an object.
        const string text = "package p\nimport future.keywords.if\nq[x] if x := \"k\"\n";
        Compile(text, RegoVersion.Auto).EvaluateRule("data.p.q").Should().Be(Value.FromJson("""{"k": true}"""));
        Compile(text, RegoVersion.V0).EvaluateRule("data.p.q").Should().Be(Value.Set([Value.String("k")]));
    }

    [Theory]
    [InlineData("package p\nallow if {\n", "m.rego:3:1", "v1's error for a module not written for v0")]
    [InlineData("package p\nimport future.keywords.in\nallow {\n", "m.rego:4:1", "v0's error for a module importing future.keywords")]
    public void Auto_reports_the_error_of_the_syntax_the_module_is_written_in(string text, string location, string because)
    {
        var act = () => Compile(text, RegoVersion.Auto);
        act.Should().Throw<RegoException>().Which.Message.Should().StartWith(location, because);
    }

    [Fact]
    public void V0Compatible_is_opas_switch_and_auto_is_the_default()
    {
        new RegoOptions { V0Compatible = true }.Version.Should().Be(RegoVersion.V0);
        new RegoOptions { V0Compatible = false }.Version.Should().Be(RegoVersion.V1, "as opa eval without --v0-compatible");
        new RegoOptions().Version.Should().Be(RegoVersion.Auto);
        RegoOptions.Default.Version.Should().Be(RegoVersion.Auto);
        new RegoOptions { Version = RegoVersion.V0 }.V0Compatible.Should().BeTrue();
    }
}
