using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Selectors;

/// <summary>Field selectors on metadata.name and metadata.namespace (=, ==, !=), as every resource supports.</summary>
public sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in text.Split(','))
        {
            var (op, at) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? ("!=", ne)
                : part.IndexOf("==", StringComparison.Ordinal) is var eq2 and > 0 ? ("==", eq2)
                : ("=", part.IndexOf('=', StringComparison.Ordinal));
            if (at <= 0)
            {
                throw new FormatException($"invalid selector: '{text}'; can't understand '{part}'");
            }

            var field = part[..at].Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw new FormatException($"field label not supported: {field}");
            }

            selector._terms.Add((field, op != "!=", part[(at + op.Length)..].Trim()));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => _terms.All(t =>
    {
        var actual = t.Field == "metadata.name" ? ObjectFields.Name(obj) : ObjectFields.Namespace(obj) ?? "";
        return (actual == t.Value) == t.Equal;
    });
}
