namespace Parma.Rego.Tests.Unit;

public sealed class ParserTests
{
    [Fact]
    public void Parse_error_names_file_line_column_and_what_was_expected()
    {
        var act = () => CompiledPolicy.Compile("policy.rego", "package p\n\nallow if {\n    x := [1, 2\n}\n");
        var error = act.Should().Throw<RegoException>().Which;
        error.Code.Should().Be("rego_parse_error");
        error.File.Should().Be("policy.rego");
        error.Line.Should().Be(5);
        error.Column.Should().Be(1);
        error.Message.Should().Contain("expected");
    }

    [Theory]
    [InlineData("package p\nx := 0x1G\n", 2, 7, "expected ':=' value")]
    [InlineData("package p\nx := \"abc\n", 2, 6, "non-terminated string")]
    [InlineData("package p\nx := {1, 2\ny := 3\n", 3, 1, "expected ',' or closing bracket")]
    [InlineData("package\n", 2, 1, "expected package name")]
    [InlineData("package p\nallow if {\n", 3, 1, "expected")]
    public void Parse_errors_point_at_the_offending_token(string text, int line, int column, string message)
    {
        var act = () => CompiledPolicy.Compile("m.rego", text);
        var error = act.Should().Throw<RegoException>().Which;
        error.Code.Should().Be("rego_parse_error");
        (error.File, error.Line, error.Column).Should().Be(("m.rego", line, column));
        error.Message.Should().StartWith($"m.rego:{line}:{column}: rego_parse_error: ").And.Contain(message);
    }

    [Fact]
    public void V1_requires_if_but_v0_accepts_bare_bodies()
    {
        const string v0 = "package p\nallow { input.x == 1 }\n";
        var act = () => CompiledPolicy.Compile("p.rego", v0, options: new RegoOptions { Version = RegoVersion.V1 });
        act.Should().Throw<RegoException>().Which.Code.Should().Be("rego_parse_error");
        var policy = CompiledPolicy.Compile("p.rego", v0, options: new RegoOptions { V0Compatible = true });
        policy.EvaluateRule("data.p.allow", Value.FromJson("""{"x":1}""")).Should().Be(Value.True);
    }

    [Fact]
    public void V0_with_future_keywords_and_rego_v1_imports()
    {
        const string text = """
            package p
            import future.keywords.in
            import future.keywords.every
            import future.keywords.if
            ok if { every x in input.xs { x in [1, 2, 3] } }
            """;
        var policy = CompiledPolicy.Compile("p.rego", text, options: new RegoOptions { V0Compatible = true });
        policy.EvaluateRule("data.p.ok", Value.FromJson("""{"xs":[1,3]}""")).Should().Be(Value.True);
        policy.EvaluateRule("data.p.ok", Value.FromJson("""{"xs":[1,4]}""")).Should().BeNull();

        var v1 = CompiledPolicy.Compile("q.rego", "package q\nimport rego.v1\nok contains x if some x in [1, 2]\n", options: new RegoOptions { V0Compatible = true });
        v1.EvaluateRule("data.q.ok").Should().Be(Value.Set([Value.Number(1), Value.Number(2)]));
    }

    [Fact]
    public void A_module_importing_future_keywords_is_read_as_v0_when_it_is_not_valid_v1()
    {
        const string kataStyle = """
            package agent_policy
            import future.keywords.in
            import future.keywords.every
            default AllowRequestsFailingPolicy := false
            CreateContainerRequest {
                every c in input.containers { c in ["a", "b"] }
            }
            names[n] { some n in input.containers }
            """;
        var policy = CompiledPolicy.Compile("rules.rego", kataStyle);
        policy.EvaluateRule("data.agent_policy.CreateContainerRequest", Value.FromJson("""{"containers":["a"]}""")).Should().Be(Value.True);
        policy.EvaluateRule("data.agent_policy.names", Value.FromJson("""{"containers":["a"]}""")).Should().Be(Value.Set([Value.String("a")]));

        const string v1Style = "package q\nimport future.keywords.if\np[x] if x := \"k\"\n";
        CompiledPolicy.Compile("q.rego", v1Style).EvaluateRule("data.q.p").Should().Be(Value.FromJson("""{"k":true}"""), "valid v1 stays v1");

        var broken = () => CompiledPolicy.Compile("b.rego", "package b\nimport future.keywords.in\nallow {\n");
        broken.Should().Throw<RegoException>().Which.Message.Should().Contain("b.rego:");
    }

    [Fact]
    public void Unknown_function_is_a_type_error()
    {
        var act = () => CompiledPolicy.Compile("p.rego", "package p\nx := no_such_fn(1)\n");
        act.Should().Throw<RegoException>().Which.Code.Should().Be("rego_type_error");
    }
}
