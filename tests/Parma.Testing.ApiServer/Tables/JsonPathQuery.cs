using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Testing.ApiServer.Tables;

/// <summary>
/// The JSONPath subset CRD printer columns use: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`, `.*` and filters
/// `[?(@.type=="Ready")]` (==, !=, &lt;, &gt;, &lt;=, &gt;=, or bare existence). Missing keys give no result,
/// as with kube's AllowMissingKeys. Recursive descent (`..`), unions and slices are refused.
/// </summary>
public sealed class JsonPathQuery
{
    private readonly IReadOnlyList<Step> _steps;

    private JsonPathQuery(IReadOnlyList<Step> steps) => _steps = steps;

    public static JsonPathQuery Parse(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1].Trim();
        }

        if (text.StartsWith('$'))
        {
            text = text[1..];
        }

        var parser = new Parser(text, expression);
        return new JsonPathQuery(parser.Steps(untilFilterEnd: false));
    }

    /// <summary>Every value the path selects, in document order.</summary>
    public IReadOnlyList<JsonNode?> Evaluate(JsonNode? root)
    {
        IEnumerable<JsonNode?> current = [root];
        foreach (var step in _steps)
        {
            current = current.SelectMany(step.Apply).ToList();
        }

        return [.. current];
    }

    private abstract record Step
    {
        public abstract IEnumerable<JsonNode?> Apply(JsonNode? node);
    }

    private sealed record Field(string Name) : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node) =>
            node is JsonObject obj && obj.TryGetPropertyValue(Name, out var value) ? [value] : [];
    }

    private sealed record Index(int Position) : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node)
        {
            if (node is not JsonArray array)
            {
                return [];
            }

            var i = Position < 0 ? array.Count + Position : Position;
            return i >= 0 && i < array.Count ? [array[i]] : [];
        }
    }

    private sealed record Wildcard : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node) => node switch
        {
            JsonArray array => array,
            JsonObject obj => obj.Select(p => p.Value),
            _ => [],
        };
    }

    private sealed record Filter(IReadOnlyList<Step> Path, string? Operator, JsonNode? Literal) : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node) =>
            node is JsonArray array ? array.Where(Matches) : [];

        private bool Matches(JsonNode? item)
        {
            IEnumerable<JsonNode?> found = [item];
            foreach (var step in Path)
            {
                found = found.SelectMany(step.Apply).ToList();
            }

            var values = found.ToList();
            if (Operator is null)
            {
                return values.Count > 0;
            }

            return values.Count > 0 && Compare(values[0], Literal) is { } order && Operator switch
            {
                "==" => order == 0,
                "!=" => order != 0,
                "<" => order < 0,
                ">" => order > 0,
                "<=" => order <= 0,
                ">=" => order >= 0,
                _ => false,
            };
        }

        /// <summary>Ordering of two scalars of the same kind; null when they cannot be compared (then only != holds).</summary>
        private int? Compare(JsonNode? left, JsonNode? right)
        {
            var kind = Kind(left);
            if (kind != Kind(right))
            {
                return Operator == "!=" ? 1 : null;
            }

            return kind switch
            {
                JsonValueKind.String => string.CompareOrdinal(left!.GetValue<string>(), right!.GetValue<string>()),
                JsonValueKind.Number => Number(left!).CompareTo(Number(right!)),
                JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => 0,
                _ => Operator == "!=" ? (JsonNode.DeepEquals(left, right) ? 0 : 1) : null,
            };
        }

        private static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

        private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private sealed class Parser(string text, string expression)
    {
        private int _at;

        public List<Step> Steps(bool untilFilterEnd)
        {
            var steps = new List<Step>();
            while (_at < text.Length)
            {
                var c = text[_at];
                if (untilFilterEnd && (c == ' ' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>'))
                {
                    break;
                }

                if (c == '.')
                {
                    _at++;
                    if (_at < text.Length && text[_at] == '.')
                    {
                        throw Error("recursive descent (..) is not supported");
                    }

                    if (_at < text.Length && text[_at] == '*')
                    {
                        _at++;
                        steps.Add(new Wildcard());
                        continue;
                    }

                    steps.Add(new Field(Name()));
                }
                else if (c == '[')
                {
                    _at++;
                    steps.Add(Bracket());
                }
                else if (steps.Count == 0 && !untilFilterEnd)
                {
                    // "spec.replicas" without the leading dot.
                    steps.Add(new Field(Name()));
                }
                else
                {
                    throw Error($"unexpected '{c}'");
                }
            }

            return steps;
        }

        private string Name()
        {
            var start = _at;
            while (_at < text.Length && text[_at] is not ('.' or '[' or ' ' or ')' or '=' or '!' or '<' or '>'))
            {
                _at++;
            }

            return _at > start ? text[start.._at] : throw Error("a field name is missing");
        }

        private Step Bracket()
        {
            if (_at >= text.Length)
            {
                throw Error("unclosed [");
            }

            Step step;
            switch (text[_at])
            {
                case '*':
                    _at++;
                    step = new Wildcard();
                    break;
                case '\'' or '"':
                    step = new Field(Quoted());
                    break;
                case '?':
                    step = FilterStep();
                    break;
                default:
                    var start = _at;
                    while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || (_at == start && text[_at] == '-')))
                    {
                        _at++;
                    }

                    if (!int.TryParse(text[start.._at], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var position))
                    {
                        throw Error("expected an index, *, a quoted name or a filter inside []");
                    }

                    step = new Index(position);
                    break;
            }

            Expect(']');
            return step;
        }

        private Filter FilterStep()
        {
            _at++;
            Expect('(');
            SkipSpaces();
            Expect('@');
            var path = Steps(untilFilterEnd: true);
            SkipSpaces();
            string? op = null;
            JsonNode? literal = null;
            if (_at < text.Length && text[_at] != ')')
            {
                op = text[_at..].StartsWith("==", StringComparison.Ordinal) ? "=="
                    : text[_at..].StartsWith("!=", StringComparison.Ordinal) ? "!="
                    : text[_at..].StartsWith("<=", StringComparison.Ordinal) ? "<="
                    : text[_at..].StartsWith(">=", StringComparison.Ordinal) ? ">="
                    : text[_at] is '<' or '>' ? text[_at].ToString()
                    : throw Error("expected ==, !=, <, >, <= or >= in the filter");
                _at += op.Length;
                SkipSpaces();
                literal = Literal();
                SkipSpaces();
            }

            Expect(')');
            return new Filter(path, op, literal);
        }

        private JsonNode? Literal()
        {
            if (_at < text.Length && text[_at] is '\'' or '"')
            {
                return JsonValue.Create(Quoted());
            }

            var start = _at;
            while (_at < text.Length && text[_at] is not (')' or ' '))
            {
                _at++;
            }

            var word = text[start.._at];
            return word switch
            {
                "true" => JsonValue.Create(true),
                "false" => JsonValue.Create(false),
                "null" => null,
                _ when double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
                _ => throw Error($"'{word}' is not a literal (quote strings)"),
            };
        }

        private string Quoted()
        {
            var quote = text[_at++];
            var value = new StringBuilder();
            while (_at < text.Length && text[_at] != quote)
            {
                if (text[_at] == '\\' && _at + 1 < text.Length)
                {
                    _at++;
                }

                value.Append(text[_at++]);
            }

            Expect(quote);
            return value.ToString();
        }

        private void SkipSpaces()
        {
            while (_at < text.Length && text[_at] == ' ')
            {
                _at++;
            }
        }

        private void Expect(char c)
        {
            if (_at >= text.Length || text[_at] != c)
            {
                throw Error($"expected '{c}'");
            }

            _at++;
        }

        private FormatException Error(string why) => new($"JSONPath {expression}: {why} at offset {_at}");
    }
}
