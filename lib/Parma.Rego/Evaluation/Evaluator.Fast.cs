using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

internal sealed partial class Evaluator
{
    private readonly List<Value[]?[]> _builtinArgs = [];
    private int _builtinDepth;

    /// <summary>
    /// Direct evaluation of terms that have at most one value (constants, bound variables, references
    /// with constant or bound segments into input or local values), avoiding continuation overhead.
    /// Returns false when the term needs the general evaluator; value is null when undefined.
    /// </summary>
    private bool TryEvalSingle(Term t, out Value? value)
    {
        switch (t)
        {
            case ScalarTerm s:
                value = s.Value;
                return true;
            case VarTerm { Slot: >= 0 } v when _frame[v.Slot] is { } bound:
                value = bound;
                return true;
            case VarTerm { Slot: < 0, Name: "input" }:
                value = _input;
                return true;
            case RefTerm r:
            {
                Value? current;
                var start = 0;
                if (r.Head is VarTerm { Slot: >= 0 } hv && _frame[hv.Slot] is { } headValue)
                {
                    current = headValue;
                }
                else if (r.Head is VarTerm { Slot: < 0, Name: "input" })
                {
                    current = _input;
                }
                else if (r.Head is VarTerm { Slot: < 0, Name: "data" } && RuleValueAt(r, out current, out var consumed))
                {
                    start = consumed;
                }
                else
                {
                    value = null;
                    return false;
                }

                for (var i = start; i < r.Path.Length; i++)
                {
                    var seg = r.Path[i];
                    Value key;
                    if (seg is ScalarTerm ks)
                    {
                        key = ks.Value;
                    }
                    else if (seg is VarTerm { Slot: >= 0 } sv && _frame[sv.Slot] is { } kv)
                    {
                        key = kv;
                    }
                    else if (seg is RefTerm && TryEvalSingle(seg, out var refKey))
                    {
                        if (refKey is null)
                        {
                            value = null;
                            return true;
                        }

                        key = refKey;
                    }
                    else
                    {
                        value = null;
                        return false;
                    }

                    if (current is null)
                    {
                        break;
                    }

                    current = current[key];
                }

                value = current;
                return true;
            }

            case CallTerm { Builtin: { Relation: null } builtin } call when builtin.Name != "print" && builtin.Arity == call.Args.Length:
                return TryCallBuiltin(call, out value);

            case CallTerm { Function: { } function } call when call.Args.Length == function.Arity:
            {
                var args = new Value[call.Args.Length];
                for (var i = 0; i < args.Length; i++)
                {
                    if (!TryEvalSingle(call.Args[i], out var arg))
                    {
                        value = null;
                        return false;
                    }

                    if (arg is null)
                    {
                        value = null;
                        return true;
                    }

                    ValueArrays.Set(args, i, arg);
                }

                Step();
                value = CallFunction(function, args, call);
                return true;
            }

            case ComprehensionTerm c:
                value = Comprehension(c);
                return true;
            case ArrayTerm a:
            {
                var items = new Value[a.Items.Length];
                if (!TryEvalAll(a.Items, items, out var undefined))
                {
                    value = null;
                    return false;
                }

                value = undefined ? null : Value.Array(items);
                return true;
            }

            case SetTerm st:
            {
                var items = new Value[st.Items.Length];
                if (!TryEvalAll(st.Items, items, out var undefined))
                {
                    value = null;
                    return false;
                }

                value = undefined ? null : Value.Set(items);
                return true;
            }

            case ObjectTerm o:
            {
                var plan = o.Plan ??= ObjectLiteralPlan.For(o);
                var items = new Value[plan.Pairs.Length];
                if (!TryEvalAll(plan.Pairs, items, out var undefined))
                {
                    value = null;
                    return false;
                }

                if (undefined)
                {
                    value = null;
                    return true;
                }

                if (plan.SortedKeys is { } sortedKeys)
                {
                    var values = new Value[sortedKeys.Length];
                    for (var i = 0; i < values.Length; i++)
                    {
                        ValueArrays.Set(values, i, items[plan.ValueAt![i]]);
                    }

                    value = new ObjectValue(sortedKeys, values);
                    return true;
                }

                var dict = new Dictionary<Value, Value>(o.Keys.Length);
                for (var i = 0; i < items.Length; i += 2)
                {
                    dict[items[i]] = items[i + 1];
                }

                value = ObjectValue.FromDictionary(dict);
                return true;
            }

            default:
                value = null;
                return false;
        }
    }

    /// <summary>
    /// A builtin call with single-valued arguments. The argument array comes from a pool per nesting level:
    /// builtins return without calling back into the evaluator and keep no reference to it, so it is free
    /// again as soon as the call returns.
    /// </summary>
    private bool TryCallBuiltin(CallTerm call, out Value? value)
    {
        var level = _builtinDepth;
        if (level == _builtinArgs.Count)
        {
            _builtinArgs.Add(new Value[4][]);
        }

        var count = call.Args.Length;
        var byArity = _builtinArgs[level];
        var args = count < byArity.Length ? (byArity[count] ??= new Value[count]) : new Value[count];
        _builtinDepth++;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!TryEvalSingle(call.Args[i], out var arg))
                {
                    value = null;
                    return false;
                }

                if (arg is null)
                {
                    value = null;
                    return true;
                }

                ValueArrays.Set(args, i, arg);
            }
        }
        finally
        {
            _builtinDepth--;
        }

        Step();
        try
        {
            value = CallBuiltin(call, args);
        }
        finally
        {
            System.Array.Clear(args);
        }

        return true;
    }

    /// <summary>Evaluates single-valued terms into values; false when one needs the general evaluator.</summary>
    private bool TryEvalAll(Term[] terms, Value[] values, out bool undefined)
    {
        undefined = false;
        for (var i = 0; i < terms.Length; i++)
        {
            if (!TryEvalSingle(terms[i], out var v))
            {
                return false;
            }

            if (v is null)
            {
                // The whole composite is undefined, as in the general evaluator, which stops at the first undefined item.
                undefined = true;
                return true;
            }

            ValueArrays.Set(values, i, v);
        }

        return true;
    }
    /// <summary>
    /// A reference whose constant prefix names a complete or partial rule (no rules below it, not a function):
    /// the rule's memoised value, without walking the data tree. False when the general walk is needed
    /// (base data, functions, subtrees, or a `with`/mount override on the way to the rule).
    /// </summary>
    private bool RuleValueAt(RefTerm r, out Value? value, out int consumed)
    {
        var target = r.RuleTarget ??= DataRuleTarget.Resolve(_program.Root, r.Path);
        value = null;
        consumed = 0;
        if (target.Node is not { } node || OverrideOnPath(node.Path))
        {
            return false;
        }

        value = NodeValue(node);
        consumed = target.Depth;
        return true;
    }

    private bool OverrideOnPath(string[] path)
    {
        foreach (var (p, _) in _overrides)
        {
            if (p.Length <= path.Length && StartsWith(path, p))
            {
                return true;
            }
        }

        return false;
    }
}
