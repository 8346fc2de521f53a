using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

internal sealed partial class Evaluator
{
    private Value? Override(List<string> path)
    {
        foreach (var (p, v) in _overrides)
        {
            if (p.Length == path.Count && StartsWith(p, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(path)))
            {
                return v;
            }
        }

        return null;
    }

    private bool HasOverrideBelow(List<string> path)
    {
        foreach (var (p, _) in _overrides)
        {
            if (p.Length > path.Count && StartsWith(p, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(path)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Walks the data document: base data merged with rule values and overrides.</summary>
    private bool WalkData(Term[] path, int i, RuleNode? node, Value? baseValue, List<string> current, Func<Value, bool> k)
    {
        if (_overrides.Count > 0 && Override(current) is { } overridden)
        {
            return WalkValue(overridden, path, i, k, storage: true);
        }

        if (node is null && (_overrides.Count == 0 || !HasOverrideBelow(current)))
        {
            return baseValue is null || WalkValue(baseValue, path, i, k, storage: true);
        }

        if (node is { IsFunction: true })
        {
            return true;
        }

        if (node is { HasRules: true })
        {
            var value = node.Children.Count > 0 ? MergedNodeValue(node, current) : NodeValue(node);
            return value is null || WalkValue(value, path, i, k);
        }

        if (i == path.Length)
        {
            var whole = Materialize(node, baseValue, current);
            return whole is null || k(whole);
        }

        var seg = path[i];
        Value? key = seg switch
        {
            ScalarTerm s => s.Value,
            VarTerm { Slot: >= 0 } v => _frame[v.Slot],
            _ => null,
        };
        if (key is not null)
        {
            return DataChild(path, i, node, baseValue, current, key, k);
        }

        if (CanEval(seg) && seg is not VarTerm)
        {
            return EvalTerm(seg, kv => DataChild(path, i, node, baseValue, current, kv, k));
        }

        var keys = new SortedSet<Value>();
        if (node is not null)
        {
            foreach (var (name, child) in node.Children)
            {
                if (!child.IsFunction)
                {
                    keys.Add(Value.String(name));
                }
            }
        }

        if (baseValue is ObjectValue baseObject)
        {
            keys.UnionWith(baseObject.KeyArray);
        }

        foreach (var (p, _) in _overrides)
        {
            if (p.Length > current.Count && StartsWith(p, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(current)))
            {
                keys.Add(Value.String(p[current.Count]));
            }
        }

        foreach (var candidate in keys)
        {
            if (!UnifyValue(seg, candidate, () => DataChild(path, i, node, baseValue, current, candidate, k)))
            {
                return false;
            }
        }

        return true;
    }

    private bool DataChild(Term[] path, int i, RuleNode? node, Value? baseValue, List<string> current, Value key, Func<Value, bool> k)
    {
        RuleNode? child = null;
        if (key is StringValue s && node is not null)
        {
            node.Children.TryGetValue(s.Text, out child);
        }

        var baseChild = baseValue is null ? null : BaseDocument.Child(baseValue, key);
        if (child is null && baseChild is null && _overrides.Count == 0)
        {
            return true;
        }

        if (key is not StringValue ks)
        {
            return baseChild is null || WalkValue(baseChild, path, i + 1, k, storage: true);
        }

        current.Add(ks.Text);
        try
        {
            return WalkData(path, i + 1, child, baseChild, current, k);
        }
        finally
        {
            current.RemoveAt(current.Count - 1);
        }
    }

    /// <summary>The full document under a node: base data, every rule's value, then overrides.</summary>
    private Value? Materialize(RuleNode? node, Value? baseValue, List<string> current)
    {
        if (_overrides.Count > 0 && Override(current) is { } overridden)
        {
            return overridden;
        }

        if (node is null)
        {
            return ApplyOverrides(baseValue, current);
        }

        if (node.HasRules)
        {
            return node.Children.Count == 0 ? NodeValue(node) : MergedNodeValue(node, current);
        }

        var dict = baseValue is ObjectValue bo ? bo.ToDictionary() : new Dictionary<Value, Value>();
        foreach (var (name, child) in node.Children)
        {
            if (child.IsFunction)
            {
                continue;
            }

            current.Add(name);
            var key = Value.String(name);
            var baseChild = baseValue?[key];
            var value = Materialize(child, baseChild, current);
            current.RemoveAt(current.Count - 1);
            if (value is not null)
            {
                // Where base data and a rule define the same path, OPA merges objects and keeps the base value otherwise.
                dict[key] = baseChild is not null ? MergeBaseFirst(baseChild, value) : value;
            }
        }

        return ApplyOverrides(ObjectValue.FromDictionary(dict), current);
    }

    private Value? ApplyOverrides(Value? value, List<string> current)
    {
        if (_overrides.Count == 0)
        {
            return value;
        }

        foreach (var (p, v) in _overrides)
        {
            if (p.Length > current.Count && StartsWith(p, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(current)))
            {
                value = Patch.Upsert(value ?? Value.EmptyObject, p.AsSpan(current.Count), v);
            }
        }

        return value;
    }

    /// <summary>Deep merge of a base document with a rule value at the same path: objects merge, otherwise the base value wins.</summary>
    private static Value MergeBaseFirst(Value baseValue, Value virtualValue)
    {
        if (baseValue is not ObjectValue bo || virtualValue is not ObjectValue vo)
        {
            return baseValue;
        }

        var dict = vo.ToDictionary();
        foreach (var (k, v) in bo.Pairs)
        {
            dict[k] = dict.TryGetValue(k, out var existing) ? MergeBaseFirst(v, existing) : v;
        }

        return ObjectValue.FromDictionary(dict);
    }

    /// <summary>The (memoised) value of the rules at a node.</summary>
    private Value? NodeValue(RuleNode node)
    {
        var cache = node.IsConstant && SharesConstants() ? _program.ConstantValues : _cache;
        var cached = cache[node.Index];
        if (cached is not null && !ReferenceEquals(cached, InProgressMarker))
        {
            return ReferenceEquals(cached, UndefinedMarker) ? null : cached;
        }

        // A node being computed is marked in this evaluation's own cache (never in the shared one).
        var local = _cache;
        if (ReferenceEquals(local[node.Index], InProgressMarker))
        {
            throw new RegoException(RegoException.Codes.RecursionError, $"rule {node.DottedPath} is recursive");
        }

        local[node.Index] = InProgressMarker;
        Enter();
        try
        {
            var value = ComputeNode(node);
            cache[node.Index] = value ?? UndefinedMarker;
            return value;
        }
        finally
        {
            _depth--;
            if (ReferenceEquals(local[node.Index], InProgressMarker))
            {
                local[node.Index] = null;
            }
        }
    }

    /// <summary>
    /// Constant rules read only other rules, so their shared values hold unless a mount or `with` replaces part
    /// of the rule tree (data.pstate, for one, does not).
    /// </summary>
    private bool SharesConstants()
    {
        if (!ReferenceEquals(_constantsCheckedFor, _overrides))
        {
            _constantsCheckedFor = _overrides;
            _constantsShared = _overrides.TrueForAll(o => o.Path.Length > 0 && !_program.Root.Children.ContainsKey(o.Path[0]));
        }

        return _constantsShared;
    }

    private Value? ComputeNode(RuleNode node)
    {
        var savedFrame = _frame;
        try
        {
            var kind = node.Rules.Count > 0 ? node.Rules[0].Kind : RuleKind.Complete;
            switch (kind)
            {
                case RuleKind.PartialSet:
                {
                    var items = new HashSet<Value>();
                    foreach (var rule in node.Rules)
                    {
                        _frame = new Value?[rule.SlotCount];
                        EvalBody(rule.Body.Exprs, 0, () => EvalTerm(rule.Key!, v =>
                        {
                            items.Add(v);
                            return true;
                        }));
                    }

                    return Value.Set(items);
                }

                case RuleKind.PartialObject:
                    return ComputeObject(node);
                default:
                {
                    Value? result = null;
                    foreach (var rule in node.Rules)
                    {
                        if (result is not null && node.FirstSuccessDecides)
                        {
                            break;
                        }

                        EvalChain(rule, null, v =>
                        {
                            if (result is not null && !result.Equals(v))
                            {
                                throw new RegoException(RegoException.Codes.ConflictError, $"complete rules must not produce multiple outputs: rule {node.DottedPath} produced conflicting values", rule.File, rule.Line, 1);
                            }

                            result = v;
                        }, node.FirstSuccessDecides);
                    }

                    if (result is null && node.Default is { } def)
                    {
                        _frame = new Value?[def.SlotCount];
                        result = EvalSingle(def.Value!);
                    }

                    return result;
                }
            }
        }
        finally
        {
            _frame = savedFrame;
        }
    }

    private Value? ComputeObject(RuleNode node)
    {
        var root = new Dictionary<Value, object>();
        foreach (var rule in node.Rules)
        {
            _frame = new Value?[rule.SlotCount];
            EvalBody(rule.Body.Exprs, 0, () => EvalItems(rule.Keys, 0, new Value[rule.Keys.Length], keys =>
                EvalTerm(rule.Value ?? TrueTerm, v =>
                {
                    Insert(root, keys, v, rule);
                    return true;
                })));
        }

        if (node.Children.Count > 0)
        {
            (_merge ??= new()).ObjectTrees[node.Index] = root;
        }

        return Freeze(root);
    }

    private static void Insert(Dictionary<Value, object> root, Value[] keys, Value v, RuleAst rule)
    {
        var current = root;
        if (rule.SetLeaf)
        {
            keys = [.. keys, v];
            v = Value.True;
        }

        for (var i = 0; i < keys.Length - 1; i++)
        {
            if (!current.TryGetValue(keys[i], out var next))
            {
                next = new Dictionary<Value, object>();
                if (rule.SetLeaf && i == keys.Length - 2)
                {
                    ((Dictionary<Value, object>)next)[SetMarker] = SetMarker;
                }

                current[keys[i]] = next;
            }

            if (next is not Dictionary<Value, object> nested)
            {
                throw new RegoException(RegoException.Codes.ConflictError, "object keys must be unique", rule.File, rule.Line, 1);
            }

            current = nested;
        }

        if (current.TryGetValue(keys[^1], out var existing) && !(existing is Value ev && ev.Equals(v)))
        {
            throw new RegoException(RegoException.Codes.ConflictError, "object keys must be unique", rule.File, rule.Line, 1);
        }

        current[keys[^1]] = v;
    }

    private static readonly Value SetMarker = Value.String("\u0000set");

    private static Value Freeze(Dictionary<Value, object> tree)
    {
        if (tree.ContainsKey(SetMarker))
        {
            return Value.Set(tree.Keys.Where(k => !ReferenceEquals(k, SetMarker)));
        }

        var dict = new Dictionary<Value, Value>(tree.Count);
        foreach (var (k, v) in tree)
        {
            dict[k] = v is Value value ? value : Freeze((Dictionary<Value, object>)v);
        }

        return ObjectValue.FromDictionary(dict);
    }

    /// <summary>Evaluates a rule and, if its body has no solution, its else chain. Emits each value.</summary>
    private static readonly ScalarTerm TrueTerm = new(Value.True);

    /// <summary>Returns true when it emitted a value and <paramref name="firstOnly"/> asked to stop there.</summary>
    private bool EvalChain(RuleAst rule, Value[]? args, Action<Value> emit, bool firstOnly = false)
    {
        var frame = new Value?[rule.SlotCount];
        for (var r = rule; r is not null; r = r.Else)
        {
            _frame = frame;
            var any = false;
            Func<bool> body = () => EvalBody(r.Body.Exprs, 0, () =>
            {
                any = true;
                return EvalTerm(r.Value ?? TrueTerm, v =>
                {
                    emit(v);
                    return !firstOnly;
                });
            });
            if (args is null)
            {
                body();
            }
            else
            {
                UnifyArray(rule.Args!, args, 0, body);
            }

            if (any)
            {
                return firstOnly;
            }
        }

        return false;
    }

    private Value? CallFunction(RuleNode node, Value[] args, CallTerm call)
    {
        var savedFrame = _frame;
        var outer = _call;
        Enter();
        try
        {
            _call = EnterCall(call, node.FirstSuccessDecides);
            foreach (var rule in node.Rules)
            {
                if (_call.Result is not null && node.FirstSuccessDecides)
                {
                    break;
                }

                _call.Rule = rule;
                var frame = CallFrame(rule.SlotCount);
                switch (BindArgs(rule.Args!, args, frame))
                {
                    case ArgBinding.Mismatch:
                        break;
                    case ArgBinding.Bound:
                        EvalBoundChain(rule, frame);
                        break;
                    default:
                        EvalChain(rule, args, MergeCallResult, node.FirstSuccessDecides);
                        break;
                }
            }

            var result = _call.Result;
            if (result is null && node.Default is { } def)
            {
                _frame = new Value?[def.SlotCount];
                result = EvalSingle(def.Value!);
            }

            return result;
        }
        finally
        {
            _depth--;
            _callDepth--;
            _frame = savedFrame;
            _call = outer;
        }
    }

    /// <summary>
    /// The frame for a function body at the current call depth, reused by every call at that depth: a call's
    /// frame is dead once it returns (results are collected, never streamed to the caller). Cleared before use.
    /// </summary>
    private Value?[] CallFrame(int slots)
    {
        while (_callFrames.Count <= _callDepth)
        {
            _callFrames.Add([]);
        }

        var frame = _callFrames[_callDepth];
        if (frame.Length < slots)
        {
            frame = new Value?[Math.Max(slots, 8)];
            _callFrames[_callDepth] = frame;
        }
        else
        {
            System.Array.Clear(frame, 0, slots);
        }

        return frame;
    }
}
