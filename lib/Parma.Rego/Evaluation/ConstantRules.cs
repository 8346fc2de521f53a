using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// Finds the rules whose value is fixed by the policy text alone: they read no input, no base data and no
/// mounted document (only other such rules and constants), use no `with` and no builtin with side effects.
/// Their values are computed once per compiled policy and shared by every evaluation (see
/// <see cref="PolicyProgram.ConstantValues"/>). Functions are marked the same way (their result depends only
/// on their arguments) so that rules calling them can qualify; function results are not shared.
/// </summary>
internal static class ConstantRules
{
    private static readonly string[] SideEffectPrefixes = ["print", "trace", "time.now", "rand.", "uuid.", "http.", "net.", "opa.runtime", "io.jwt.decode_verify"];

    public static void Mark(RuleNode root)
    {
        var state = new Dictionary<RuleNode, bool?>();
        Visit(root, root, state);
    }

    private static void Visit(RuleNode root, RuleNode node, Dictionary<RuleNode, bool?> state)
    {
        if (node.HasRules)
        {
            try
            {
                IsConstant(root, node, state);
            }
            catch (InsufficientExecutionStackException)
            {
                // A reference chain too deep to follow: the rules still being decided stay non-constant.
            }
        }

        foreach (var child in node.Children.Values)
        {
            Visit(root, child, state);
        }
    }

    private static bool IsConstant(RuleNode root, RuleNode node, Dictionary<RuleNode, bool?> state)
    {
        if (state.TryGetValue(node, out var known))
        {
            // Null means "being decided": a recursive reference is never constant.
            return known == true;
        }

        state[node] = null;
        var result = node.HasRules && node.Children.Count == 0 && node.Rules.All(r => RuleOk(root, r, state)) && (node.Default is null || RuleOk(root, node.Default, state));
        state[node] = result;
        node.IsConstant = result;
        return result;
    }

    private static bool RuleOk(RuleNode root, RuleAst rule, Dictionary<RuleNode, bool?> state)
    {
        if (rule.Args is not null && !rule.Args.All(a => TermOk(root, a, state)))
        {
            return false;
        }

        for (var r = rule; r is not null; r = r.Else)
        {
            if (!BodyOk(root, r.Body, state) || !TermOk(root, r.Key, state) || !TermOk(root, r.Value, state) || !r.Keys.All(k => TermOk(root, k, state)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool BodyOk(RuleNode root, Body body, Dictionary<RuleNode, bool?> state)
    {
        foreach (var e in body.Exprs)
        {
            if (e.With.Count > 0
                || !TermOk(root, e.Left, state)
                || !TermOk(root, e.Right, state)
                || !TermOk(root, e.Collection, state)
                || (e.EveryBody is { } every && !BodyOk(root, every, state)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TermOk(RuleNode root, Term? t, Dictionary<RuleNode, bool?> state)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (t)
        {
            case null:
            case ScalarTerm:
                return true;
            case VarTerm v:
                // Unresolved names left after compilation are `input` and `data`.
                return v.Slot >= 0 || v.IsWildcard;
            case RefTerm r:
                if (r.Head is VarTerm { Slot: < 0, Name: "data" })
                {
                    // Only a reference whose constant prefix is a constant rule; base data may be mounted over.
                    var target = DataRuleTarget.Resolve(root, r.Path);
                    return target.Node is { } node && IsConstant(root, node, state) && r.Path.All(p => TermOk(root, p, state));
                }

                return TermOk(root, r.Head, state) && r.Path.All(p => TermOk(root, p, state));
            case ArrayTerm a:
                return a.Items.All(i => TermOk(root, i, state));
            case SetTerm s:
                return s.Items.All(i => TermOk(root, i, state));
            case ObjectTerm o:
                return o.Keys.All(k => TermOk(root, k, state)) && o.Values.All(v => TermOk(root, v, state));
            case ComprehensionTerm c:
                return BodyOk(root, c.Body, state) && TermOk(root, c.Key, state) && TermOk(root, c.Value, state);
            case CallTerm call:
                if (call.Builtin is { } builtin && SideEffectPrefixes.Any(p => builtin.Name.StartsWith(p, StringComparison.Ordinal)))
                {
                    return false;
                }

                if (call.Function is { } function && !IsConstant(root, function, state))
                {
                    return false;
                }

                return (call.Builtin is not null || call.Function is not null) && call.Args.All(a => TermOk(root, a, state));
            default:
                return false;
        }
    }
}
