namespace Parma.Rego.Tests.Conformance;

/// <summary>Runs a case the way OPA's test runner does: result rows compared as a set of binding objects.</summary>
public static class ConformanceRunner
{
    /// <summary>Returns null when the case passes, otherwise why it failed.</summary>
    public static string? Run(ConformanceCase c)
    {
        var options = new RegoOptions { Version = c.V0 ? RegoVersion.V0 : RegoVersion.V1, StrictBuiltinErrors = c.StrictError, MaxSteps = 5_000_000 };
        IReadOnlyList<QueryResult> results;
        try
        {
            var modules = c.Modules.Select((m, i) => ($"{c.File}#module{i}.rego", m)).ToList();
            var policy = CompiledPolicy.Compile(modules, c.Data, options);
            var input = c.Input ?? (c.InputTerm is { } term ? EvaluateTerm(term) : null);
            results = policy.Evaluate(c.Query, input);
        }
        catch (RegoException e)
        {
            if (c.WantErrorCode is null && c.WantError is null)
            {
                return $"unexpected error: {e.Message}";
            }

            if (c.WantErrorCode is { } code && code != e.Code)
            {
                return $"expected error code {code}, got {e.Message}";
            }

            if (c.WantError is { } text && !e.Message.Contains(text, StringComparison.Ordinal))
            {
                return $"expected error containing '{text}', got {e.Message}";
            }

            return null;
        }

        if (c.WantErrorCode is not null || c.WantError is not null)
        {
            return $"expected error {c.WantErrorCode} {c.WantError}, got {results.Count} result(s)";
        }

        var actual = results.Select(r => Normalize(Value.Object(r.Bindings), c.SortBindings)).ToHashSet();
        var expected = (c.WantResult ?? []).Select(v => Normalize(v, c.SortBindings)).ToHashSet();
        if (actual.SetEquals(expected))
        {
            return null;
        }

        return $"expected {Value.Set(expected).ToJson()}, got {Value.Set(actual).ToJson()}";
    }

    private static Value EvaluateTerm(string term)
    {
        var policy = CompiledPolicy.Compile([]);
        var result = policy.Evaluate($"__input_term__ := {term}");
        return result.Single().Bindings["__input_term__"];
    }

    /// <summary>JSON round trip (sets become arrays), optionally sorting top-level binding arrays.</summary>
    private static Value Normalize(Value row, bool sortBindings)
    {
        var json = Value.FromJson(row.ToJson());
        if (!sortBindings || json is not ObjectValue o)
        {
            return json;
        }

        return Value.Object(o.Pairs.Select(p => new KeyValuePair<Value, Value>(p.Key,
            p.Value is ArrayValue a ? Value.Array(a.Elements.Order()) : p.Value)));
    }
}
