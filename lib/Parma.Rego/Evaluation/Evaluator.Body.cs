using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

internal sealed partial class Evaluator
{
    private bool EvalBody(List<Expr> exprs, int index, Func<bool> k)
    {
        // Filters and assignments with single-valued operands run inline, without continuations.
        while (index < exprs.Count)
        {
            var e = exprs[index];
            if (e.With.Count == 0 && e.Negated && e.CaptureSlot < 0 && e.Kind == ExprKind.Term
                && !(e.Left is CallTerm negatedCall && IsOutputCall(negatedCall)) && TryEvalSingle(e.Left!, out var negatedValue))
            {
                Step();
                if (negatedValue is not (null or BooleanValue { BoolValue: false }))
                {
                    return true;
                }

                index++;
                continue;
            }

            if (e.With.Count == 0 && !e.Negated && e.CaptureSlot < 0)
            {
                if (e.Kind == ExprKind.SomeIn && TryIterateInline(e, exprs, index + 1, k, out var iterated))
                {
                    return iterated;
                }

                if (e.Kind == ExprKind.Term && !(e.Left is CallTerm call && IsOutputCall(call)) && TryEvalSingle(e.Left!, out var value))
                {
                    Step();
                    if (value is null or BooleanValue { BoolValue: false })
                    {
                        return true;
                    }

                    index++;
                    continue;
                }

                if (e.Kind is ExprKind.Assign or ExprKind.Unify && e.Left is VarTerm { Slot: >= 0, IsWildcard: false } target
                    && _frame[target.Slot] is null && TryEvalSingle(e.Right!, out var assigned))
                {
                    Step();
                    if (assigned is null)
                    {
                        return true;
                    }

                    ValueArrays.Set(_frame, target.Slot, assigned);
                    try
                    {
                        return EvalBody(exprs, index + 1, k);
                    }
                    finally
                    {
                        _frame[target.Slot] = null;
                    }
                }
            }

            return EvalExprThen(e, exprs, index + 1, k);
        }

        return k();
    }

    // Separate from EvalBody so that the closure's captured variables are allocated only on this path.
    private bool EvalExprThen(Expr e, List<Expr> exprs, int next, Func<bool> k) =>
        EvalExpr(e, () => EvalBody(exprs, next, k));

    /// <summary>
    /// `some k, v in coll` with a single-valued collection and fresh variables: binds each pair and continues
    /// the body directly. False when the general path is needed.
    /// </summary>
    private bool TryIterateInline(Expr e, List<Expr> exprs, int next, Func<bool> k, out bool result)
    {
        result = true;
        if (e.Right is not VarTerm { Slot: >= 0 } valueVar || _frame[valueVar.Slot] is not null)
        {
            return false;
        }

        VarTerm? keyVar = null;
        if (e.Left is not null)
        {
            if (e.Left is not VarTerm { Slot: >= 0 } lv || _frame[lv.Slot] is not null || lv.Slot == valueVar.Slot)
            {
                return false;
            }

            keyVar = lv;
        }

        if (!TryEvalSingle(e.Collection!, out var collection))
        {
            return false;
        }

        Step();
        if (collection is null)
        {
            return true;
        }

        var frame = _frame;
        try
        {
            switch (collection)
            {
                case ArrayValue a:
                    for (var i = 0; i < a.Items.Length; i++)
                    {
                        Step();
                        if (keyVar is not null)
                        {
                            ValueArrays.Set(frame, keyVar.Slot, Value.Number(i));
                        }

                        ValueArrays.Set(frame, valueVar.Slot, a.Items[i]);
                        if (!EvalBody(exprs, next, k))
                        {
                            result = false;
                            return true;
                        }
                    }

                    break;
                case ObjectValue o:
                    for (var i = 0; i < o.KeyArray.Length; i++)
                    {
                        Step();
                        if (keyVar is not null)
                        {
                            ValueArrays.Set(frame, keyVar.Slot, o.KeyArray[i]);
                        }

                        ValueArrays.Set(frame, valueVar.Slot, o.ValueArray[i]);
                        if (!EvalBody(exprs, next, k))
                        {
                            result = false;
                            return true;
                        }
                    }

                    break;
                case SetValue set:
                    foreach (var item in set.Items)
                    {
                        Step();
                        if (keyVar is not null)
                        {
                            ValueArrays.Set(frame, keyVar.Slot, item);
                        }

                        ValueArrays.Set(frame, valueVar.Slot, item);
                        if (!EvalBody(exprs, next, k))
                        {
                            result = false;
                            return true;
                        }
                    }

                    break;
            }
        }
        finally
        {
            if (keyVar is not null)
            {
                frame[keyVar.Slot] = null;
            }

            frame[valueVar.Slot] = null;
        }

        return true;
    }

    private bool EvalExpr(Expr e, Func<bool> k)
    {
        Step();
        if (e.With.Count > 0)
        {
            return EvalWith(e, k);
        }

        if (e.Negated)
        {
            var found = false;
            EvalExprCore(e, () =>
            {
                found = true;
                return false;
            });
            return found || k();
        }

        return EvalExprCore(e, k);
    }

    private bool EvalExprCore(Expr e, Func<bool> k)
    {
        // Each case's closures live in their own method, so a call allocates only what its case uses.
        switch (e.Kind)
        {
            case ExprKind.Term:
                if (e.Left is CallTerm call && IsOutputCall(call))
                {
                    return EvalOutputCall(call, k);
                }

                if (e.CaptureSlot >= 0)
                {
                    return EvalCaptured(e, k);
                }

                return EvalTruthy(e.Left!, k);
            case ExprKind.Unify:
            case ExprKind.Assign:
                return Unify(e.Left!, e.Right!, k);
            case ExprKind.Some:
                return k();
            case ExprKind.SomeIn:
                return EvalSomeIn(e, k);
            case ExprKind.Every:
                return EvalEvery(e, k);
            default:
                return true;
        }
    }

    private bool EvalOutputCall(CallTerm call, Func<bool> k) =>
        EvalCall(call, call.Args.Length - 1, v => UnifyValue(call.Args[^1], v, k));

    private bool EvalCaptured(Expr e, Func<bool> k) =>
        EvalTerm(e.Left!, v =>
        {
            if (e.CaptureChecked && v is BooleanValue { BoolValue: false })
            {
                return true;
            }

            ValueArrays.Set(_frame, e.CaptureSlot, v);
            try
            {
                return k();
            }
            finally
            {
                _frame[e.CaptureSlot] = null;
            }
        });

    private bool EvalTruthy(Term t, Func<bool> k) => EvalTerm(t, v => v is BooleanValue { BoolValue: false } || k());

    private bool EvalSomeIn(Expr e, Func<bool> k) =>
        EvalTerm(e.Collection!, coll => Iterate(coll, (key, val) =>
            e.Left is null ? UnifyValue(e.Right!, val, k) : UnifyValue(e.Left, key, () => UnifyValue(e.Right!, val, k))));

    private static bool IsOutputCall(CallTerm call) =>
        (call.Builtin is { Arity: >= 0 } b && call.Args.Length == b.Arity + 1) ||
        (call.Function is { } f && call.Args.Length == f.Arity + 1);

    private bool EvalEvery(Expr e, Func<bool> k)
    {
        return EvalTerm(e.Collection!, coll =>
        {
            if (coll is not (ArrayValue or ObjectValue or SetValue))
            {
                return true;
            }

            var all = true;
            Iterate(coll, (key, val) =>
            {
                var ok = false;
                Func<bool> body = () => EvalBody(e.EveryBody!.Exprs, 0, () =>
                {
                    ok = true;
                    return false;
                });
                if (e.Left is null)
                {
                    UnifyValue(e.Right!, val, body);
                }
                else
                {
                    UnifyValue(e.Left, key, () => UnifyValue(e.Right!, val, body));
                }

                all = ok;
                return ok;
            });
            return !all || k();
        });
    }

    /// <summary>Enumerates (key, value) pairs: array index/element, object key/value, set element/element.</summary>
    private static bool Iterate(Value collection, Func<Value, Value, bool> each)
    {
        switch (collection)
        {
            case ArrayValue a:
                for (var i = 0; i < a.Items.Length; i++)
                {
                    if (!each(Value.Number(i), a.Items[i]))
                    {
                        return false;
                    }
                }

                return true;
            case ObjectValue o:
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    if (!each(o.KeyArray[i], o.ValueArray[i]))
                    {
                        return false;
                    }
                }

                return true;
            case SetValue s:
                foreach (var item in s.Items)
                {
                    if (!each(item, item))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private bool EvalWith(Expr e, Func<bool> k)
    {
        var values = new Value[e.With.Count];
        for (var i = 0; i < e.With.Count; i++)
        {
            Value? v = null;
            EvalTerm(e.With[i].Value, x =>
            {
                v = x;
                return false;
            });
            if (v is null)
            {
                return true;
            }

            ValueArrays.Set(values, i, v);
        }

        var outer = (_input, _overrides, _cache, _merge);
        var input = _input;
        var overrides = new List<(string[] Path, Value Value)>(_overrides);
        for (var i = 0; i < e.With.Count; i++)
        {
            var path = e.With[i].TargetPath;
            if (path[0] == "input")
            {
                input = path.Length == 1 ? values[i] : Patch.Upsert(input ?? Value.EmptyObject, path.AsSpan(1), values[i]);
            }
            else
            {
                overrides.RemoveAll(o => StartsWith(o.Path, path.AsSpan(1)));
                overrides.Add((path[1..], values[i]));
            }
        }

        var inner = (input, overrides, new Value?[_program.NodeCount], (MergeState?)null);
        (_input, _overrides, _cache, _merge) = inner;
        var stripped = new Expr
        {
            Kind = e.Kind, Negated = e.Negated, Left = e.Left, Right = e.Right, Collection = e.Collection,
            SomeVars = e.SomeVars, EveryBody = e.EveryBody, Line = e.Line, Column = e.Column, Text = e.Text, CaptureSlot = e.CaptureSlot, CaptureChecked = e.CaptureChecked,
        };
        try
        {
            return EvalExpr(stripped, () =>
            {
                (_input, _overrides, _cache, _merge) = outer;
                try
                {
                    return k();
                }
                finally
                {
                    (_input, _overrides, _cache, _merge) = inner;
                }
            });
        }
        finally
        {
            (_input, _overrides, _cache, _merge) = outer;
        }
    }

    private static bool StartsWith(string[] path, ReadOnlySpan<string> prefix)
    {
        if (path.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (path[i] != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    private bool Unify(Term a, Term b, Func<bool> k)
    {
        if (a is ArrayTerm aa && b is ArrayTerm ba)
        {
            return aa.Items.Length == ba.Items.Length && UnifyPairs(aa.Items, ba.Items, 0, k);
        }

        // A composite whose unbound variables are indices of its own references (x := [i, xs[i]]) binds them itself.
        if (CanEval(b) || (a is VarTerm && !CanEval(a) && b is ArrayTerm or ObjectTerm or SetTerm or CallTerm))
        {
            return EvalTerm(b, v => UnifyValue(a, v, k));
        }

        if (CanEval(a))
        {
            return EvalTerm(a, v => UnifyValue(b, v, k));
        }

        if (a is ObjectTerm oa && b is ObjectTerm ob && oa.Keys.Length == ob.Keys.Length)
        {
            return UnifyObjects(oa, ob, k);
        }

        throw Unsafe(a, Describe(a, b));
    }

    private string Describe(Term a, Term b)
    {
        var names = new List<string>();
        CollectUnbound(a, names);
        CollectUnbound(b, names);
        return names.Count > 0 ? names[0] : "in expression";
    }

    private void CollectUnbound(Term t, List<string> names)
    {
        switch (t)
        {
            case VarTerm { Slot: >= 0 } v when _frame[v.Slot] is null:
                names.Add(v.Name);
                break;
            case ArrayTerm a:
                foreach (var i in a.Items)
                {
                    CollectUnbound(i, names);
                }

                break;
            case ObjectTerm o:
                foreach (var i in o.Values)
                {
                    CollectUnbound(i, names);
                }

                break;
        }
    }

    private bool UnifyObjects(ObjectTerm a, ObjectTerm b, Func<bool> k)
    {
        // Keys must be ground; pair values by key.
        var pairs = new List<(Term, Term)>();
        for (var i = 0; i < a.Keys.Length; i++)
        {
            var ka = EvalSingle(a.Keys[i]);
            var match = -1;
            for (var j = 0; j < b.Keys.Length; j++)
            {
                if (ka is not null && ka.Equals(EvalSingle(b.Keys[j])))
                {
                    match = j;
                }
            }

            if (match < 0)
            {
                return true;
            }

            pairs.Add((a.Values[i], b.Values[match]));
        }

        return UnifyPairs(pairs.Select(p => p.Item1).ToArray(), pairs.Select(p => p.Item2).ToArray(), 0, k);
    }

    private bool UnifyPairs(Term[] a, Term[] b, int i, Func<bool> k) =>
        i == a.Length ? k() : Unify(a[i], b[i], () => UnifyPairs(a, b, i + 1, k));

    private Value? EvalSingle(Term t)
    {
        Value? result = null;
        EvalTerm(t, v =>
        {
            result = v;
            return false;
        });
        return result;
    }

    /// <summary>Unifies a term pattern with a value, binding unbound variables.</summary>
    private bool UnifyValue(Term pattern, Value v, Func<bool> k)
    {
        Step();
        switch (pattern)
        {
            case ScalarTerm s:
                return !s.Value.Equals(v) || k();
            case VarTerm { Slot: >= 0 } var:
            {
                var bound = _frame[var.Slot];
                if (bound is not null)
                {
                    return !bound.Equals(v) || k();
                }

                ValueArrays.Set(_frame, var.Slot, v);
                try
                {
                    return k();
                }
                finally
                {
                    _frame[var.Slot] = null;
                }
            }

            case ArrayTerm a when !CanEval(a):
                return v is not ArrayValue av || av.Items.Length != a.Items.Length || UnifyArray(a.Items, av.Items, 0, k);
            case ObjectTerm o when !CanEval(o):
            {
                if (v is not ObjectValue ov || ov.Count != o.Keys.Length)
                {
                    return true;
                }

                var values = new Value[o.Keys.Length];
                for (var i = 0; i < o.Keys.Length; i++)
                {
                    var key = EvalSingle(o.Keys[i]);
                    var found = key is null ? null : ov[key];
                    if (found is null)
                    {
                        return true;
                    }

                    ValueArrays.Set(values, i, found);
                }

                return UnifyArray(o.Values, values, 0, k);
            }

            default:
                if (!CanEval(pattern))
                {
                    throw Unsafe(pattern, Describe(pattern, pattern));
                }

                return UnifyEvaluated(pattern, v, k);
        }
    }

    private bool UnifyEvaluated(Term pattern, Value v, Func<bool> k) => EvalTerm(pattern, pv => !pv.Equals(v) || k());

    private bool UnifyArray(Term[] patterns, Value[] values, int i, Func<bool> k) =>
        i == patterns.Length ? k() : UnifyValue(patterns[i], values[i], () => UnifyArray(patterns, values, i + 1, k));

    /// <summary>True when the term can be evaluated to values (unbound variables only in reference paths, where they enumerate).</summary>
    private bool CanEval(Term t)
    {
        switch (t)
        {
            case ScalarTerm:
                return true;
            case VarTerm v:
                return v.Slot < 0 ? !v.IsWildcard : _frame[v.Slot] is not null;
            case RefTerm r:
                return r.Head is VarTerm { Slot: < 0 } || CanEval(r.Head);
            case ArrayTerm a:
                foreach (var i in a.Items)
                {
                    if (!CanEval(i))
                    {
                        return false;
                    }
                }

                return true;
            case SetTerm s:
                foreach (var i in s.Items)
                {
                    if (!CanEval(i))
                    {
                        return false;
                    }
                }

                return true;
            case ObjectTerm o:
                foreach (var i in o.Values)
                {
                    if (!CanEval(i))
                    {
                        return false;
                    }
                }

                foreach (var i in o.Keys)
                {
                    if (!CanEval(i))
                    {
                        return false;
                    }
                }

                return true;
            case CallTerm c:
                foreach (var a in c.Args)
                {
                    if (!CanEval(a))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
