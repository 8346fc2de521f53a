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

    /// <summary>An error as `opa eval` prints it: {"errors":[{"message","code","location":{"file","row","col"}}]}.</summary>
    public static string RenderError(Exception e)
    {
        var fields = new List<KeyValuePair<string, Value>>();
        if (e is RegoException rego)
        {
            fields.Add(new("message", Value.String(rego.Detail)));
            fields.Add(new("code", Value.String(rego.Code)));
            if (rego.Line > 0)
            {
                fields.Add(new("location", Value.Object(
                [
                    new KeyValuePair<string, Value>("file", Value.String(rego.File ?? string.Empty)),
                    new KeyValuePair<string, Value>("row", Value.Number(rego.Line)),
                    new KeyValuePair<string, Value>("col", Value.Number(rego.Column)),
                ])));
            }
        }
        else
        {
            fields.Add(new("message", Value.String(e.Message)));
        }

        return Value.Object([new KeyValuePair<string, Value>("errors", Value.Array(Value.Object(fields)))]).ToJson(indented: true);
    }
}
