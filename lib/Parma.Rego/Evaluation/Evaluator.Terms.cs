using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>Enumerates the values of a term (none when undefined).</summary>
    private bool EvalTerm(Term t, Func<Value, bool> k)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (t)
        {
            case ScalarTerm s:
                return k(s.Value);
            case VarTerm v:
                return EvalVar(v, k);
            case RefTerm r:
                if (TryEvalSingle(r, out var single))
                {
                    return single is null || k(single);
                }

                return EvalRef(r, k);
            case ArrayTerm a:
                return EvalArray(a, k);
            case SetTerm s:
                return EvalSet(s, k);
            case ObjectTerm o:
                return EvalObject(o, k);
            case ComprehensionTerm c:
                return EvalComprehension(c, k);
            case CallTerm call:
                if (TryEvalSingle(call, out var result))
                {
                    return result is null || k(result);
                }

                return EvalCall(call, call.Args.Length, k);
            default:
                return true;
        }
    }

    private bool EvalArray(ArrayTerm a, Func<Value, bool> k) =>
        EvalItems(a.Items, 0, new Value[a.Items.Length], items => k(Value.Array(items)));

    private bool EvalSet(SetTerm s, Func<Value, bool> k) =>
        EvalItems(s.Items, 0, new Value[s.Items.Length], items => k(Value.Set(items)));

    private bool EvalVar(VarTerm v, Func<Value, bool> k)
    {
        if (v.Slot >= 0)
        {
            var bound = _frame[v.Slot];
            if (bound is null)
            {
                throw Unsafe(v, v.Name);
            }

            return k(bound);
        }

        if (v.Name == "input")
        {
            return _input is null || k(_input);
        }

        if (v.Name == "data")
        {
            return WalkData([], 0, _program.Root, _program.Data, [], k);
        }

        throw Unsafe(v, v.Name);
    }

    /// <summary>
    /// Evaluates terms into one value each (every combination when some enumerate). A term that reads a variable
    /// only a later term binds, as in <c>foo == input.foos[foo]</c> where the reference enumerates foo, waits until
    /// the others are evaluated: variables in reference indices are outputs of the expression (OPA's safety rule).
    /// </summary>
    private bool EvalItems(Term[] items, int i, Value[] acc, Func<Value[], bool> k)
    {
        if (i == 0 && items.Length > 1 && !AllCanEval(items))
        {
            return EvalItemsDeferred(items, DeferredOrder(items), 0, acc, k);
        }

        return EvalItemsInOrder(items, i, acc, k);
    }

    private bool EvalItemsInOrder(Term[] items, int i, Value[] acc, Func<Value[], bool> k)
    {
        if (i == items.Length)
        {
            return k((Value[])acc.Clone());
        }

        return EvalTerm(items[i], v =>
        {
            acc[i] = v;
            return EvalItemsInOrder(items, i + 1, acc, k);
        });
    }

    private bool AllCanEval(Term[] items)
    {
        foreach (var item in items)
        {
            if (!CanEval(item))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Indices of the terms that can be evaluated now, then the others in their order.</summary>
    private int[] DeferredOrder(Term[] items)
    {
        var order = new int[items.Length];
        var n = 0;
        for (var j = 0; j < items.Length; j++)
        {
            if (CanEval(items[j]))
            {
                order[n++] = j;
            }
        }

        for (var j = 0; j < items.Length; j++)
        {
            if (!CanEval(items[j]))
            {
                order[n++] = j;
            }
        }

        return order;
    }

    private bool EvalItemsDeferred(Term[] items, int[] order, int n, Value[] acc, Func<Value[], bool> k)
    {
        if (n == order.Length)
        {
            return k((Value[])acc.Clone());
        }

        var index = order[n];
        return EvalTerm(items[index], v =>
        {
            acc[index] = v;
            return EvalItemsDeferred(items, order, n + 1, acc, k);
        });
    }

    private bool EvalObject(ObjectTerm o, Func<Value, bool> k)
    {
        var all = new Term[o.Keys.Length * 2];
        for (var i = 0; i < o.Keys.Length; i++)
        {
            all[2 * i] = o.Keys[i];
            all[(2 * i) + 1] = o.Values[i];
        }

        return EvalItems(all, 0, new Value[all.Length], items =>
        {
            var dict = new Dictionary<Value, Value>(o.Keys.Length);
            for (var i = 0; i < items.Length; i += 2)
            {
                dict[items[i]] = items[i + 1];
            }

            return k(ObjectValue.FromDictionary(dict));
        });
    }

    private bool EvalComprehension(ComprehensionTerm c, Func<Value, bool> k) => k(Comprehension(c));

    /// <summary>A comprehension always has exactly one value (possibly empty).</summary>
    private Value Comprehension(ComprehensionTerm c)
    {
        if (c.Kind != ComprehensionKind.Object && TryMembersOf(c, out var members))
        {
            return c.Kind == ComprehensionKind.Array ? members : members as SetValue ?? SetValue.FromItems(Members(members));
        }

        switch (c.Kind)
        {
            case ComprehensionKind.Array:
                return Value.Array(CollectComprehension(c));
            case ComprehensionKind.Set:
                return SetValue.FromList(CollectComprehension(c));

            default:
            {
                var dict = new Dictionary<Value, Value>();
                EvalBody(c.Body.Exprs, 0, () => EvalTerm(c.Key!, key => EvalTerm(c.Value, v =>
                {
                    if (dict.TryGetValue(key, out var existing) && !existing.Equals(v))
                    {
                        throw new RegoException(RegoException.Codes.ConflictError, "object keys must be unique", null, c.Line, c.Column);
                    }

                    dict[key] = v;
                    return true;
                })));
                return ObjectValue.FromDictionary(dict);
            }
        }
    }

    /// <summary>
    /// `[x | some x in coll]` and `{x | some x in coll}` over a single-valued collection: the collection's members
    /// (an array of them for an array comprehension, as <paramref name="members"/> is then an ArrayValue), without
    /// running the body once per member. False when the comprehension has any other shape.
    /// </summary>
    private bool TryMembersOf(ComprehensionTerm c, out Value members)
    {
        members = Value.EmptyArray;
        if (c.Body.Exprs is not [{ Kind: ExprKind.SomeIn, Left: null, Negated: false, CaptureSlot: < 0, With.Count: 0 } e]
            || e.Right is not VarTerm { Slot: >= 0 } item
            || c.Value is not VarTerm { Slot: >= 0 } result
            || result.Slot != item.Slot
            || _frame[item.Slot] is not null
            || !TryEvalSingle(e.Collection!, out var collection))
        {
            return false;
        }

        Step();
        members = collection switch
        {
            ArrayValue a => a,
            SetValue s => c.Kind == ComprehensionKind.Set ? s : Value.Array(s.Items),
            ObjectValue o => Value.Array(o.ValueArray),
            _ => c.Kind == ComprehensionKind.Set ? Value.EmptySet : Value.EmptyArray,
        };
        for (var i = 0; i < Members(members).Length; i++)
        {
            Step();
        }

        return true;
    }

    private static Value[] Members(Value collection) => collection switch
    {
        ArrayValue a => a.Items,
        SetValue s => s.Items,
        _ => [],
    };

    /// <summary>The values of an array or set comprehension's term over every solution of its body, in order, with repeats.</summary>
    private List<Value> CollectComprehension(ComprehensionTerm c)
    {
        var items = new List<Value>();
        Func<Value, bool> add = v =>
        {
            items.Add(v);
            return true;
        };
        EvalBody(c.Body.Exprs, 0, () =>
        {
            if (TryEvalSingle(c.Value, out var single))
            {
                if (single is not null)
                {
                    items.Add(single);
                }

                return true;
            }

            return EvalTerm(c.Value, add);
        });
        return items;
    }

    private bool EvalRef(RefTerm r, Func<Value, bool> k)
    {
        if (r.Head is VarTerm { Slot: < 0 } root)
        {
            if (root.Name == "data")
            {
                return WalkData(r.Path, 0, _program.Root, _program.Data, [], k);
            }

            if (root.Name == "input")
            {
                return _input is null || WalkValue(_input, r.Path, 0, k);
            }
        }

        return EvalHeadThenWalk(r, k);
    }

    private bool EvalHeadThenWalk(RefTerm r, Func<Value, bool> k) => EvalTerm(r.Head, head => WalkValue(head, r.Path, 0, k));

    /// <summary>
    /// Follows reference segments into a value; unbound variable segments enumerate. With <paramref name="storage"/>
    /// the value is a base document and keys are read the way OPA's store reads them (see <see cref="BaseDocument"/>).
    /// </summary>
    private bool WalkValue(Value v, Term[] path, int i, Func<Value, bool> k, bool storage = false)
    {
        if (i == path.Length)
        {
            return k(v);
        }

        var seg = path[i];
        switch (seg)
        {
            case ScalarTerm s:
            {
                var child = storage ? BaseDocument.Child(v, s.Value) : v[s.Value];
                return child is null || WalkValue(child, path, i + 1, k, storage);
            }

            case VarTerm { Slot: >= 0 } var when _frame[var.Slot] is { } bound:
            {
                var child = storage ? BaseDocument.Child(v, bound) : v[bound];
                return child is null || WalkValue(child, path, i + 1, k, storage);
            }

            case VarTerm { Slot: >= 0 } var:
                return WalkEach(v, var, path, i, k, storage);
            default:
                return WalkByTerm(v, seg, path, i, k, storage);
        }
    }

    private bool WalkEach(Value v, VarTerm var, Term[] path, int i, Func<Value, bool> k, bool storage)
    {
        var frame = _frame;
        try
        {
            switch (v)
            {
                case ArrayValue a:
                    for (var j = 0; j < a.Items.Length; j++)
                    {
                        Step();
                        ValueArrays.Set(frame, var.Slot, Value.Number(j));
                        if (!WalkValue(a.Items[j], path, i + 1, k, storage))
                        {
                            return false;
                        }
                    }

                    return true;
                case ObjectValue o:
                    for (var j = 0; j < o.KeyArray.Length; j++)
                    {
                        Step();
                        ValueArrays.Set(frame, var.Slot, o.KeyArray[j]);
                        if (!WalkValue(o.ValueArray[j], path, i + 1, k, storage))
                        {
                            return false;
                        }
                    }

                    return true;
                case SetValue s:
                    foreach (var item in s.Items)
                    {
                        Step();
                        ValueArrays.Set(frame, var.Slot, item);
                        if (!WalkValue(item, path, i + 1, k, storage))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        finally
        {
            frame[var.Slot] = null;
        }
    }

    private bool WalkByTerm(Value v, Term seg, Term[] path, int i, Func<Value, bool> k, bool storage)
    {
        if (CanEval(seg))
        {
            return EvalTerm(seg, key =>
            {
                var child = storage ? BaseDocument.Child(v, key) : v[key];
                return child is null || WalkValue(child, path, i + 1, k, storage);
            });
        }

        return Iterate(v, (key, val) => UnifyValue(seg, key, () => WalkValue(val, path, i + 1, k, storage)));
    }

    private bool EvalCall(CallTerm call, int argCount, Func<Value, bool> k)
    {
        if (call.Builtin is { Name: "print" })
        {
            return EvalPrint(call, k);
        }

        if (call.Function is { } direct)
        {
            var simple = new Value[argCount];
            var allSimple = true;
            for (var i = 0; i < argCount && allSimple; i++)
            {
                if (!TryEvalSingle(call.Args[i], out var arg))
                {
                    allSimple = false;
                }
                else if (arg is null)
                {
                    return true;
                }
                else
                {
                    simple[i] = arg;
                }
            }

            if (allSimple)
            {
                Step();
                var value = CallFunction(direct, simple, call);
                return value is null || k(value);
            }
        }

        return EvalItems(argCount == call.Args.Length ? call.Args : call.Args[..argCount], 0, new Value[argCount], args =>
        {
            Step();
            if (call.Builtin is { Relation: { } relation })
            {
                return EvalRelation(call, relation, args, k);
            }

            Value? result;
            if (call.Function is { } fn)
            {
                result = CallFunction(fn, args, call);
            }
            else
            {
                result = CallBuiltin(call, args);
            }

            return result is null || k(result);
        });
    }

    private bool EvalRelation(CallTerm call, Func<Value[], IEnumerable<Value>> relation, Value[] args, Func<Value, bool> k)
    {
        List<Value> values;
        try
        {
            values = relation(args).ToList();
        }
        catch (RegoException e) when (e.Code is RegoException.Codes.BuiltinError or RegoException.Codes.EvalTypeError)
        {
            if (_options.StrictBuiltinErrors)
            {
                throw new RegoException(e.Code, e.Detail, null, call.Line, call.Column);
            }

            return true;
        }

        foreach (var v in values)
        {
            Step();
            if (!k(v))
            {
                return false;
            }
        }

        return true;
    }

    private Value? CallBuiltin(CallTerm call, Value[] args)
    {
        try
        {
            return call.Builtin!.Impl(args);
        }
        catch (RegoException e) when (e.Code is RegoException.Codes.BuiltinError or RegoException.Codes.EvalTypeError)
        {
            if (_options.StrictBuiltinErrors)
            {
                throw new RegoException(e.Code, e.Detail, null, call.Line, call.Column);
            }

            return null;
        }
    }

    private bool EvalPrint(CallTerm call, Func<Value, bool> k)
    {
        var parts = new string[call.Args.Length];
        for (var i = 0; i < call.Args.Length; i++)
        {
            var values = new List<Value>();
            try
            {
                EvalTerm(call.Args[i], v =>
                {
                    values.Add(v);
                    return true;
                });
            }
            catch (RegoException e) when (e.Code == RegoException.Codes.UnsafeVarError)
            {
            }

            parts[i] = values.Count == 0 ? "<undefined>" : string.Join(", ", values.Select(v => v is StringValue s ? s.Text : v.ToRegoString()));
        }

        _options.PrintHook?.Invoke(string.Join(' ', parts));
        return k(Value.True);
    }
}
