using Parma.Rego;

namespace Parma.Cli.Commands;

/// <summary>Renders query results like `opa eval`: {"result":[…]} (or {} when undefined) as JSON, or a readable form.</summary>
internal static class EvalOutput
{
    public static string Render(IReadOnlyList<QueryResult> results, string format)
    {
        var document = results.Count == 0
            ? Value.EmptyObject
            : Value.Object([new KeyValuePair<string, Value>("result", Value.Array(results.Select(r => r.ToValue())))]);
        if (format != "pretty")
        {
            return document.ToJson(indented: true);
        }

        if (results.Count == 0)
        {
            return "undefined";
        }

        if (results.Count == 1 && results[0].Bindings.Count == 0 && results[0].Expressions.Count == 1)
        {
            return results[0].Expressions[0].Value.ToJson(indented: true);
        }

        return Value.Array(results.Select(r => r.Bindings.Count > 0
            ? Value.Object(r.Bindings)
            : Value.Array(r.Expressions.Select(e => e.Value)))).ToJson(indented: true);
    }
}
