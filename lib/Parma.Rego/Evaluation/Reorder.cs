using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// Orders body expressions so that each one's inputs are bound before it runs (OPA's safety reordering):
/// an expression that reads a variable bound by a later expression is moved after it. Variables in the
/// indices of an expression's references are its own outputs (the reference enumerates them), so
/// <c>foo == input.foos[foo]</c> needs nothing bound before it.
/// </summary>
internal static class Reorder
{
    public static List<Expr> Body(List<Expr> exprs)
    {
        if (exprs.Count < 2)
        {
            return exprs;
        }

        var infos = exprs.Select(e => (Expr: e, In: new HashSet<int>(), Out: new HashSet<int>(), Self: new HashSet<int>())).ToList();
        var allOutputs = new HashSet<int>();
        foreach (var info in infos)
        {
            Collect(info.Expr, info.In, info.Out);
            if (!info.Expr.Negated)
            {
                RefIndexVars(info.Expr, info.Self);
            }

            allOutputs.UnionWith(info.Out);
        }

        var bound = new HashSet<int>();
        var result = new List<Expr>(exprs.Count);
        var remaining = infos.ToList();
        var changed = false;
        while (remaining.Count > 0)
        {
            var index = remaining.FindIndex(i => i.In.All(v => bound.Contains(v) || i.Self.Contains(v) || !allOutputs.Contains(v)));
            if (index < 0)
            {
                index = 0;
            }

            if (index != 0)
            {
                changed = true;
            }

            var chosen = remaining[index];
            remaining.RemoveAt(index);
            result.Add(chosen.Expr);
            bound.UnionWith(chosen.Out);
            bound.UnionWith(chosen.In);
        }

        return changed ? result : exprs;
    }

    private static void Collect(Expr e, HashSet<int> inputs, HashSet<int> outputs)
    {
        foreach (var w in e.With)
        {
            Term(w.Value, inputs, outputs, false);
        }

        switch (e.Kind)
        {
            case ExprKind.Term when e.Negated:
                Term(e.Left!, inputs, inputs, false);
                break;
            case ExprKind.Term when e.Left is CallTerm call && IsOutputCall(call):
                for (var i = 0; i < call.Args.Length - 1; i++)
                {
                    Term(call.Args[i], inputs, outputs, false);
                }

                Term(call.Args[^1], inputs, outputs, true);
                break;
            case ExprKind.Term:
                Term(e.Left!, inputs, outputs, false);
                break;
            case ExprKind.Unify:
                Term(e.Left!, inputs, outputs, true);
                Term(e.Right!, inputs, outputs, true);
                break;
            case ExprKind.Assign:
                Term(e.Right!, inputs, outputs, false);
                Term(e.Left!, inputs, outputs, true);
                break;
            case ExprKind.SomeIn:
                Term(e.Collection!, inputs, outputs, false);
                if (e.Left is not null)
                {
                    Term(e.Left, inputs, outputs, true);
                }

                Term(e.Right!, inputs, outputs, true);
                break;
            case ExprKind.Every:
                Term(e.Collection!, inputs, outputs, false);
                break;
        }
    }

    /// <summary>Variables that references in the expression's terms enumerate (outside comprehensions, which have their own bodies).</summary>
    private static void RefIndexVars(Expr e, HashSet<int> vars)
    {
        switch (e.Kind)
        {
            case ExprKind.Term or ExprKind.Unify or ExprKind.Assign:
                RefIndexVars(e.Left, vars);
                RefIndexVars(e.Right, vars);
                break;
        }
    }

    private static void RefIndexVars(Term? t, HashSet<int> vars)
    {
        switch (t)
        {
            case RefTerm r:
                RefIndexVars(r.Head, vars);
                foreach (var p in r.Path)
                {
                    if (p is VarTerm { Slot: >= 0, IsWildcard: false } v)
                    {
                        vars.Add(v.Slot);
                    }
                    else
                    {
                        RefIndexVars(p, vars);
                    }
                }

                break;
            case ArrayTerm a:
                foreach (var i in a.Items)
                {
                    RefIndexVars(i, vars);
                }

                break;
            case SetTerm st:
                foreach (var i in st.Items)
                {
                    RefIndexVars(i, vars);
                }

                break;
            case ObjectTerm o:
                foreach (var i in o.Keys)
                {
                    RefIndexVars(i, vars);
                }

                foreach (var i in o.Values)
                {
                    RefIndexVars(i, vars);
                }

                break;
            case CallTerm c:
                foreach (var a in c.Args)
                {
                    RefIndexVars(a, vars);
                }

                break;
        }
    }

    public static bool IsOutputCall(CallTerm call) =>
        (call.Builtin is { Arity: >= 0 } b && call.Args.Length == b.Arity + 1) ||
        (call.Function is { } f && call.Args.Length == f.Arity + 1);

    private static void Term(Term t, HashSet<int> inputs, HashSet<int> outputs, bool pattern)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (t)
        {
            case VarTerm { Slot: >= 0 } v when !v.IsWildcard:
                (pattern ? outputs : inputs).Add(v.Slot);
                break;
            case RefTerm r:
                Term(r.Head, inputs, outputs, false);
                foreach (var p in r.Path)
                {
                    Term(p, inputs, outputs, true);
                }

                break;
            case ArrayTerm a:
                foreach (var i in a.Items)
                {
                    Term(i, inputs, outputs, pattern);
                }

                break;
            case SetTerm s:
                foreach (var i in s.Items)
                {
                    Term(i, inputs, outputs, false);
                }

                break;
            case ObjectTerm o:
                foreach (var k in o.Keys)
                {
                    Term(k, inputs, outputs, false);
                }

                foreach (var v in o.Values)
                {
                    Term(v, inputs, outputs, pattern);
                }

                break;
            case CallTerm c:
                foreach (var a in c.Args)
                {
                    Term(a, inputs, outputs, false);
                }

                break;
            case ComprehensionTerm comp:
                foreach (var e in comp.Body.Exprs)
                {
                    var inner = new HashSet<int>();
                    Collect(e, inner, new HashSet<int>());
                    inputs.UnionWith(inner);
                }

                break;
        }
    }
}
