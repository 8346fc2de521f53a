using Parma.Rego.Evaluation;
using Parma.Rego.Syntax;

namespace Parma.Rego;

/// <summary>One solution of a query, shaped like OPA's eval result.</summary>
public sealed record QueryResult(IReadOnlyList<ExpressionValue> Expressions, IReadOnlyDictionary<string, Value> Bindings)
{
    internal static QueryResult From(ResolvedQuery query, Value?[] frame, Evaluator evaluator)
    {
        var bindings = new SortedDictionary<string, Value>(StringComparer.Ordinal);
        foreach (var (name, slot) in query.Variables)
        {
            if (frame[slot] is { } v)
            {
                bindings[name] = v;
            }
        }

        var expressions = query.Body.Exprs
            .OrderBy(e => e.Line).ThenBy(e => e.Column)
            .Select(e => new ExpressionValue(evaluator.ExpressionValue(e, frame), e.Text, e.Line, e.Column))
            .ToList();
        return new QueryResult(expressions, bindings);
    }

    /// <summary>OPA JSON shape: {"expressions":[…],"bindings":{…}} (bindings omitted when empty).</summary>
    public Value ToValue()
    {
        var pairs = new List<KeyValuePair<string, Value>>
        {
            new("expressions", Value.Array(Expressions.Select(e => e.ToValue()))),
        };
        if (Bindings.Count > 0)
        {
            pairs.Add(new("bindings", Value.Object(Bindings)));
        }

        return Value.Object(pairs);
    }
}

/// <summary>The value of one query expression (true for conditions), with its text and location.</summary>
public sealed record ExpressionValue(Value Value, string Text, int Row, int Column)
{
    public Value ToValue() => Value.Object(new KeyValuePair<string, Value>[]
    {
        new("value", Value),
        new("text", Value.String(Text)),
        new("location", Value.Object(new KeyValuePair<string, Value>[] { new("row", Value.Number(Row)), new("col", Value.Number(Column)) })),
    });
}
