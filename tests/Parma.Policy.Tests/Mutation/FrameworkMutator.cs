using System.Text.RegularExpressions;

namespace Parma.Policy.Tests.Mutation;

/// <summary>One weakened copy of the framework: a check removed, or one condition of a check dropped.</summary>
public sealed record FrameworkMutant(string Id, string Text);

/// <summary>
/// Mutates the framework's text, relying on its layout (rules start in column 0, bodies are indented by
/// tabs, a multi-line body ends with "}" in column 0): every rule with a body is removed in turn, and
/// every condition line of a body (one tab deep, or inside an `every`) is dropped in turn. Assignments,
/// `some` declarations and the failure record itself are not conditions. The reason rules and the state
/// operations are not checks and are left alone.
/// </summary>
public static partial class FrameworkMutator
{
    private static readonly string[] NotChecks = ["denial_reason", "reason_", "cc_ops", "pstate", "first_failure", "format_failure", "cc_explained_index", "layer_hash_of"];

    public static IReadOnlyList<FrameworkMutant> Mutants(string framework)
    {
        var lines = framework.Split('\n');
        var definitions = lines.Where(l => l.Length > 0 && char.IsLetter(l[0])).GroupBy(RuleName).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var mutants = new List<FrameworkMutant>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string Unique(string id)
        {
            var n = seen.GetValueOrDefault(id) + 1;
            seen[id] = n;
            return n == 1 ? id : $"{id} #{n}";
        }

        for (var start = 0; start < lines.Length; start++)
        {
            var header = lines[start];
            if (!header.EndsWith(" if {", StringComparison.Ordinal) || header.Length == 0 || !char.IsLetter(header[0]) || NotChecks.Any(n => header.StartsWith(n, StringComparison.Ordinal)))
            {
                continue;
            }

            var end = Array.FindIndex(lines, start + 1, l => l.StartsWith('}'));
            var block = Identity(lines, start, end);

            // A failure rule, a request rule, or one of several definitions of a rule: removing it still compiles.
            if (lines[end] == "}" && (header.Contains("_failures contains f", StringComparison.Ordinal) || definitions[RuleName(header)] > 1 || RuleName(header).EndsWith("Request", StringComparison.Ordinal)))
            {
                mutants.Add(new FrameworkMutant(Unique($"remove {block}"), Replace(lines, Enumerable.Range(start, end - start + 1).ToDictionary(i => i, _ => (string?)null))));
            }

            var inEvery = false;
            var open = 0;
            for (var i = start + 1; i < end; i++)
            {
                var line = lines[i];
                var depth = line.TakeWhile(c => c == '\t').Count();
                var text = line.Trim();
                if (open == 0 && depth == 1)
                {
                    inEvery = text.StartsWith("every ", StringComparison.Ordinal) && text.EndsWith('{');
                }

                var condition = (open == 0 && depth == 1 && IsCondition(text)) || (inEvery && open == 1 && depth == 2 && IsCondition(text));
                if (condition)
                {
                    // The condition becomes `true`, so a body never ends up empty.
                    mutants.Add(new FrameworkMutant(Unique($"drop {block} | {text}"), Replace(lines, new Dictionary<int, string?> { [i] = new string('\t', depth) + "true" })));
                }

                open += Balance(text);
            }
        }

        return mutants;
    }

    private static string RuleName(string line) => RuleNameRegex().Match(line).Value;

    /// <summary>Opening minus closing brackets outside strings.</summary>
    private static int Balance(string text)
    {
        var balance = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '`')
            {
                quote = c;
            }
            else if (c is '(' or '[' or '{')
            {
                balance++;
            }
            else if (c is ')' or ']' or '}')
            {
                balance--;
            }
        }

        return balance;
    }

    /// <summary>The rule's header and the check name it reports (failure rules share headers), or its first body line.</summary>
    private static string Identity(string[] lines, int start, int end)
    {
        var body = lines[(start + 1)..end].Select(l => l.Trim()).ToList();
        var check = body.Select(l => FailureName().Match(l)).FirstOrDefault(m => m.Success);
        var first = body.FirstOrDefault(IsCondition) ?? body.FirstOrDefault() ?? string.Empty;
        return check is null ? $"{lines[start]} [{first}]" : $"{lines[start]} [{check.Groups[1].Value}: {first}]";
    }

    private static bool IsCondition(string text) =>
        text.Length > 0
        && !text.StartsWith('#')
        && !text.StartsWith("some ", StringComparison.Ordinal)
        && !text.StartsWith("every ", StringComparison.Ordinal)
        && !text.Contains(":=", StringComparison.Ordinal)
        && !text.EndsWith('{') && !text.EndsWith('[') && !text.EndsWith('(')
        && text != "}" && text != "]" && text != ")";

    private static string Replace(string[] lines, Dictionary<int, string?> changes) =>
        string.Join('\n', lines.Select((l, i) => changes.TryGetValue(i, out var c) ? c : l).Where(l => l is not null));

    [GeneratedRegex("""failure\((?:idx, )?"([a-z_.]+)",""")]
    private static partial Regex FailureName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex RuleNameRegex();
}
