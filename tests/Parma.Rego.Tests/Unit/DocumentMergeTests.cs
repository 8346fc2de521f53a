namespace Parma.Rego.Tests.Unit;

/// <summary>How rule values combine with each other and with base data at overlapping paths (OPA's semantics).</summary>
public sealed class DocumentMergeTests
{
    private static Value? Eval(string module, string dataRef, string? data = null) =>
        CompiledPolicy.Compile("m.rego", module, data is null ? null : Value.FromJson(data)).EvaluateRule(dataRef);

    private static string ConflictCode(string module, string dataRef)
    {
        var act = () => Eval(module, dataRef);
        return act.Should().Throw<RegoException>().Which.Code;
    }

    [Theory]
    [InlineData("p[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }\np.q.r.s.u := 42")]
    [InlineData("p.q.r.s.u := 42\np[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }")]
    [InlineData("p[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }\np.q.r.s.t := 42")]
    [InlineData("p.a := {\"x\": 1}\np[k] := {\"y\": 2} if k := \"a\"")]
    [InlineData("p := {\"a\": 1}\np.b := 2")]
    public void A_rule_that_defines_a_path_inside_another_rules_value_conflicts(string rules)
    {
        ConflictCode("package test\n" + rules + "\n", "data.test.p").Should().Be("eval_conflict_error");
    }

    [Fact]
    public void The_conflict_is_found_through_a_deeper_reference_too()
    {
        ConflictCode("package test\np[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }\np.q.r.s.u := 42\n", "data.test.p.q.r")
            .Should().Be("eval_conflict_error");
    }

    [Fact]
    public void Rules_that_agree_inside_another_rules_value_do_not_conflict()
    {
        Eval("package test\np[q].r := v if { q := \"q\"; v := {\"s\": {\"t\": 1}} }\np.q.r.s.t := 1\np.z := 3\n", "data.test.p")
            .Should().Be(Value.FromJson("""{"q":{"r":{"s":{"t":1}}},"z":3}"""));
    }

    [Fact]
    public void Set_leaves_at_the_same_path_union()
    {
        Eval("package test\np[q] contains r if { some q in [\"a\", \"b\"]; some r in [\"a\", \"b\"]; q != r }\np.b contains \"foo\"\n", "data.test.p")
            .Should().Be(Value.Object(new Dictionary<Value, Value>
            {
                [Value.String("a")] = Value.Set([Value.String("b")]),
                [Value.String("b")] = Value.Set([Value.String("a"), Value.String("foo")]),
            }));
    }

    [Fact]
    public void Base_data_wins_over_a_rule_at_the_same_path_in_the_enclosing_document()
    {
        const string module = "package topdown.conflicts\nk := \"bar\"\nobj := {\"a\": 1, \"b\": {\"c\": 2}}\n";
        const string data = """{"topdown":{"conflicts":{"k":"foo","obj":{"b":{"d":3},"e":4}}}}""";
        Eval(module, "data.topdown.conflicts", data).Should().Be(Value.FromJson("""{"k":"foo","obj":{"a":1,"b":{"c":2,"d":3},"e":4}}"""));
        Eval(module, "data.topdown.conflicts.k", data).Should().Be(Value.String("bar"), "a reference that reaches the rule evaluates the rule");
    }

    [Fact]
    public void A_base_scalar_wins_over_rules_in_a_package_below_it()
    {
        const string module = "package d.a\nb := 1\n";
        Eval(module, "data.d", """{"d":{"a":5}}""").Should().Be(Value.FromJson("""{"a":5}"""));
        Eval(module, "data.d.a.b", """{"d":{"a":5}}""").Should().Be(Value.Number(1));
    }

    [Fact]
    public void An_undefined_rule_keeps_the_base_value_in_the_enclosing_document()
    {
        Eval("package d\nk := \"bar\" if false\n", "data.d", """{"d":{"k":"foo"}}""").Should().Be(Value.FromJson("""{"k":"foo"}"""));
    }
}
