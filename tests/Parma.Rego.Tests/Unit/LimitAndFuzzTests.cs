namespace Parma.Rego.Tests.Unit;

public sealed class LimitAndFuzzTests
{
    [Fact]
    public void Step_limit_stops_runaway_evaluation_with_a_clear_error()
    {
        var policy = CompiledPolicy.Compile("p.rego", "package p\nx := count([1 | some a in numbers.range(1, 2000); some b in numbers.range(1, 2000)])\n",
            options: new RegoOptions { MaxSteps = 100_000 });
        var act = () => policy.EvaluateRule("data.p.x");
        act.Should().Throw<RegoException>().Which.Code.Should().Be("eval_limit_error");
    }

    [Fact]
    public void Depth_limit_stops_deep_function_recursion_through_data()
    {
        var policy = CompiledPolicy.Compile("p.rego", "package p\nf(n) := r if { n > 0; r := f(n - 1) }\nf(0) := 0\nx := f(input.n)\n",
            options: new RegoOptions { MaxDepth = 50 });
        policy.EvaluateRule("data.p.x", Value.FromJson("""{"n":10}""")).Should().Be(Value.Number(0));
        var act = () => policy.EvaluateRule("data.p.x", Value.FromJson("""{"n":1000}"""));
        act.Should().Throw<RegoException>().Which.Code.Should().Be("eval_limit_error");
    }

    private static readonly string[] Seeds =
    [
        "package p\nallow if { some x in input.xs; x > 1; startswith(input.s, \"a\") }\n",
        "package p\ndefault d := false\nd if { every k, v in input.o { is_string(k); v != null } }\n",
        "package p\ns contains x if { x := input.xs[_] }\no[k] := v if { some k, v in input.o }\n",
        "package p\nf(x) := y if { y := x * 2 } else := 0\nr := f(input.n)\n",
        "package p\nc := [y | y := input.xs[_]; y % 2 == 0]\nm := {k: 1 | some k in input.ss}\n",
        "package p\nq := sprintf(\"%v-%d\", [input.s, count(input.xs)])\nre := regex.match(\"^[a-z]+$\", input.s)\n",
        "package p\nimport data.q\nn := q.v + 1\nx := json.unmarshal(json.marshal(input))\n",
        "package p\nt[k].r := v if { some k, v in input.o }\nt.a.r.s := 1\nu := t\n",
        "package p\nm := regex.find_all_string_submatch_n(input.s, \"a😀b\\nc\", -1)\nr := regex.replace(\"abc\", \"(?P<x>b)\", \"[${x}$1$$]\")\n",
        "package p\nq := sprintf(input.s, input.xs)\nw := sprintf(\"%v %d %.2f %q %x\", [input.n, input.n, input.n, input.s, input.s])\n",
    ];

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "(", ")", ":=", "=", "==", "if", "else", "some", "every", "in", "not", "with", "as", "contains",
        "input", "data", "x", "_", "1", "-1", "2.5", "\"a\"", "`r`", ",", ";", "\n", "|", "&", "+", "*", "/", "%", ".", "default",
        "count(", "sum(", "f(", "regex.match(\"(\",", "set()", "null", "true", "import", "package",
    ];

    [Fact]
    public void Random_and_mutated_policies_only_ever_raise_rego_errors()
    {
        var random = new Random(20261121);
        var inputs = new[]
        {
            Value.FromJson("""{"xs":[1,2,3],"s":"abc","o":{"a":1,"b":null},"ss":["x","y"],"n":3}"""),
            Value.FromJson("""{"xs":"nope","s":5,"o":[1],"n":"x"}"""),
            Value.EmptyObject,
            Value.FromJson("""[[[[[[[[[[1]]]]]]]]]]"""),
        };
        var options = new RegoOptions { MaxSteps = 20_000, MaxDepth = 32, V0Compatible = false };
        var parsed = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = Mutate(Seeds[random.Next(Seeds.Length)], random);
            CompiledPolicy policy;
            try
            {
                policy = CompiledPolicy.Compile([("fuzz.rego", text), ("q.rego", "package q\nv := 1\n")], null, options);
                parsed++;
            }
            catch (RegoException)
            {
                continue;
            }

            foreach (var query in new[] { "data.p", "data.p.allow", "x := data.p[_]" })
            {
                try
                {
                    policy.Evaluate(query, inputs[random.Next(inputs.Length)]);
                }
                catch (RegoException)
                {
                }
            }
        }

        parsed.Should().BeGreaterThan(100, "enough mutants must compile to exercise the evaluator");
    }

    [Fact]
    public void Random_inputs_and_mutated_json_only_ever_raise_rego_errors()
    {
        var random = new Random(3);
        var policies = Seeds.Select(seed => CompiledPolicy.Compile([("seed.rego", seed), ("q.rego", "package q\nv := 1\n")], null,
            new RegoOptions { MaxSteps = 20_000, MaxDepth = 32 })).ToArray();
        var queries = new[] { "data.p", "x := data.p[_]" };
        var evaluated = 0;
        for (var i = 0; i < 2000; i++)
        {
            var input = RandomValue(random, 0);
            string json;
            try
            {
                json = Mutate(input.ToJson(), random);
                input = Value.FromJson(json);
            }
            catch (RegoException)
            {
                // Mutated JSON that no longer parses must be rejected with our error type; keep the unmutated input.
            }

            try
            {
                policies[random.Next(policies.Length)].Evaluate(queries[random.Next(queries.Length)], input);
                evaluated++;
            }
            catch (RegoException)
            {
            }
        }

        evaluated.Should().BeGreaterThan(500, "most random inputs must evaluate to a result rather than an error");
    }

    private static readonly string[] Strings = ["", "a", "abc", "%v%d%", "(", "[a-", "😀", "\n", "é", "${x}", "0", "-1", "1e400", "\u0000"];

    private static Value RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 4 ? 5 : 8))
        {
            case 0: return Value.Null;
            case 1: return Value.Bool(random.Next(2) == 0);
            case 2: return Value.Number(random.Next(-1000, 1000));
            case 3: return Value.Number((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-10, 30)));
            case 4: return Value.String(Strings[random.Next(Strings.Length)] + Strings[random.Next(Strings.Length)]);
            case 5: return Value.Array(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1)));
            default:
                var keys = new[] { "xs", "s", "o", "ss", "n", "a", "r" };
                var dict = new Dictionary<string, Value>();
                for (var k = random.Next(5); k > 0; k--)
                {
                    dict[keys[random.Next(keys.Length)]] = RandomValue(random, depth + 1);
                }

                return Value.Object(dict);
        }
    }

    [Fact]
    public void Repeated_squaring_stops_at_a_clear_error_instead_of_growing_without_bound()
    {
        var call = "3";
        for (var i = 0; i < 30; i++)
        {
            call = $"sq({call})";
        }

        var text = $"package p\nsq(n) := n * n\nx := {call}\nsmall := sq(sq(sq(3)))\n";
        CompiledPolicy.Compile("p.rego", text).EvaluateRule("data.p.small").Should().Be(Value.Number(6561));
        CompiledPolicy.Compile("p.rego", text).EvaluateRule("data.p.x").Should().BeNull();
        var strict = () => CompiledPolicy.Compile("p.rego", text, options: new RegoOptions { StrictBuiltinErrors = true }).EvaluateRule("data.p.x");
        strict.Should().Throw<RegoException>().Which.Message.Should().Contain("not a finite number");
    }

    [Fact]
    public void Deeply_nested_input_and_terms_fail_cleanly()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        var act = () => CompiledPolicy.Compile("p.rego", $"package p\nx := {deep}\n").EvaluateRule("data.p.x");
        act.Should().Throw<RegoException>();
    }

    private static string Mutate(string seed, Random random)
    {
        var text = seed;
        var edits = random.Next(0, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(3))
            {
                case 0:
                    text = text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 1 when text.Length > 0:
                    text = text.Remove(Math.Min(at, text.Length - 1), Math.Min(random.Next(1, 6), text.Length - Math.Min(at, text.Length - 1)));
                    break;
                default:
                    var fragment = Fragments[random.Next(Fragments.Length)];
                    text = text.Insert(at, " " + fragment + " ");
                    break;
            }
        }

        return text;
    }
}
