using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// Assigns frame slots to variables (honouring scopes and `:=` shadowing), rewrites names of rules and
/// imports into data references, and binds calls to builtins or user functions.
/// </summary>
internal sealed class Resolver
{
    private readonly RuleNode _root;
    private readonly IReadOnlyDictionary<string, BuiltinFunction> _builtins;
    private readonly string[] _package;
    private readonly HashSet<string> _packageRules;
    private readonly Dictionary<string, string[]> _imports;
    private readonly List<Dictionary<string, int>> _scopes = [];
    private readonly string _file;
    private readonly bool _v1;
    private int _slots;

    public Resolver(RuleNode root, IReadOnlyDictionary<string, BuiltinFunction> builtins, string[] package, HashSet<string> packageRules, Dictionary<string, string[]> imports, string file, bool v1 = true)
    {
        _v1 = v1;
        _root = root;
        _builtins = builtins;
        _package = package;
        _packageRules = packageRules;
        _imports = imports;
        _file = file;
    }

    public int SlotCount => _slots;

    public Dictionary<string, int> TopScope => _scopes[0];

    /// <summary>Resolves a rule and its else chain; they share the function arguments and one frame.</summary>
    public void ResolveRule(RuleAst rule)
    {
        _slots = 0;
        _scopes.Clear();
        _scopes.Add(new Dictionary<string, int>(StringComparer.Ordinal));
        if (rule.Args is not null)
        {
            for (var i = 0; i < rule.Args.Length; i++)
            {
                rule.Args[i] = Term(rule.Args[i], declare: true);
            }
        }

        for (var r = rule; r is not null; r = r.Else)
        {
            _scopes.Add(new Dictionary<string, int>(StringComparer.Ordinal));
            ResolveBodyInPlace(r.Body);
            if (r.Key is not null)
            {
                r.Key = Term(r.Key);
            }

            for (var i = 0; i < r.Keys.Length; i++)
            {
                r.Keys[i] = Term(r.Keys[i]);
            }

            if (r.Value is not null)
            {
                r.Value = Term(r.Value);
            }

            _scopes.RemoveAt(_scopes.Count - 1);
        }

        for (var r = rule; r is not null; r = r.Else)
        {
            r.SlotCount = _slots;
        }
    }

    public void ResolveQuery(Body body)
    {
        _slots = 0;
        _scopes.Clear();
        _scopes.Add(new Dictionary<string, int>(StringComparer.Ordinal));
        ResolveBodyInPlace(body);
        var check = body.Exprs.Count > 1 || body.Exprs.Exists(Iterates);
        foreach (var e in body.Exprs)
        {
            if (e.Kind == ExprKind.Term && !e.Negated && !(e.Left is CallTerm call && Reorder.IsOutputCall(call)))
            {
                e.CaptureSlot = _slots++;
                e.CaptureChecked = check;
            }
        }
    }

    /// <summary>Whether an expression enumerates: a reference with a variable index, or a relation such as walk (comprehensions aside).</summary>
    private static bool Iterates(Expr e) =>
        Iterates(e.Left) || Iterates(e.Right) || Iterates(e.Collection) || e.Kind is ExprKind.SomeIn;

    private static bool Iterates(Term? t) => t switch
    {
        RefTerm r => Iterates(r.Head) || r.Path.Any(p => p is VarTerm || Iterates(p)),
        ArrayTerm a => a.Items.Any(Iterates),
        SetTerm s => s.Items.Any(Iterates),
        ObjectTerm o => o.Keys.Any(Iterates) || o.Values.Any(Iterates),
        CallTerm c => c.Builtin is { Relation: not null } || c.Args.Any(Iterates),
        _ => false,
    };

    private void ResolveBodyInPlace(Body body)
    {
        foreach (var expr in body.Exprs)
        {
            Expr(expr);
        }

        body.Exprs = Reorder.Body(body.Exprs);
    }

    private void Expr(Expr e)
    {
        foreach (var w in e.With)
        {
            w.TargetPath = WithPath(w.Target);
            w.Value = Term(w.Value);
        }

        switch (e.Kind)
        {
            case ExprKind.Term:
                e.Left = Term(e.Left!);
                break;
            case ExprKind.Unify:
                e.Left = Term(e.Left!);
                e.Right = Term(e.Right!);
                break;
            case ExprKind.Assign:
                e.Right = Term(e.Right!);
                e.Left = Term(e.Left!, declare: true);
                break;
            case ExprKind.Some:
                foreach (var v in e.SomeVars)
                {
                    Declare(v);
                }

                break;
            case ExprKind.SomeIn:
                e.Collection = Term(e.Collection!);
                if (e.Left is not null)
                {
                    e.Left = Term(e.Left, declare: true);
                }

                e.Right = Term(e.Right!, declare: true);
                break;
            case ExprKind.Every:
                e.Collection = Term(e.Collection!);
                _scopes.Add(new Dictionary<string, int>(StringComparer.Ordinal));
                if (e.Left is not null)
                {
                    e.Left = Term(e.Left, declare: true);
                }

                e.Right = Term(e.Right!, declare: true);
                ResolveBodyInPlace(e.EveryBody!);
                _scopes.RemoveAt(_scopes.Count - 1);
                break;
        }
    }

    private string[] WithPath(Term target)
    {
        var (root, path) = target switch
        {
            VarTerm v => (v.Name, System.Array.Empty<Term>()),
            RefTerm { Head: VarTerm hv } r => (hv.Name, r.Path),
            _ => throw Error(target, "with target must be a reference to input or data"),
        };
        if (root is not ("input" or "data"))
        {
            if (_imports.TryGetValue(root, out var imported))
            {
                return [.. imported, .. path.Select(p => SegmentName(p))];
            }

            throw Error(target, $"with target {root} must be input or data");
        }

        return [root, .. path.Select(p => SegmentName(p))];
    }

    private string SegmentName(Term t) =>
        t is ScalarTerm { Value: StringValue s } ? s.Text : throw Error(t, "with target segments must be strings");

    private RegoException Error(Term t, string message) =>
        new(RegoException.Codes.CompileError, message, _file, t.Line, t.Column);

    private void Declare(VarTerm v)
    {
        if (v.IsWildcard)
        {
            v.Slot = _slots++;
            return;
        }

        var slot = _slots++;
        _scopes[^1][v.Name] = slot;
        v.Slot = slot;
    }

    private bool TryLookup(string name, out int slot)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out slot))
            {
                return true;
            }
        }

        slot = -1;
        return false;
    }

    private Term Term(Term t, bool declare = false)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (t)
        {
            case ScalarTerm:
                return t;
            case VarTerm v:
                return Var(v, declare);
            case RefTerm r:
            {
                var head = r.Head is VarTerm hv ? Var(hv, false) : Term(r.Head);
                for (var i = 0; i < r.Path.Length; i++)
                {
                    r.Path[i] = Term(r.Path[i]);
                }

                if (head is RefTerm inner)
                {
                    return new RefTerm(inner.Head, [.. inner.Path, .. r.Path]) { Line = r.Line, Column = r.Column };
                }

                r.Head = head;
                return r;
            }

            case ArrayTerm a:
                for (var i = 0; i < a.Items.Length; i++)
                {
                    a.Items[i] = Term(a.Items[i], declare);
                }

                return Fold(a, a.Items, () => Value.Array(a.Items.Select(ConstantOf)));
            case SetTerm s:
                for (var i = 0; i < s.Items.Length; i++)
                {
                    s.Items[i] = Term(s.Items[i]);
                }

                return Fold(s, s.Items, () => Value.Set(s.Items.Select(ConstantOf)));
            case ObjectTerm o:
                for (var i = 0; i < o.Keys.Length; i++)
                {
                    o.Keys[i] = Term(o.Keys[i]);
                    o.Values[i] = Term(o.Values[i], declare);
                }

                return Fold(o, [.. o.Keys, .. o.Values], () => Value.Object(o.Keys.Select((k, i) => new KeyValuePair<Value, Value>(ConstantOf(k), ConstantOf(o.Values[i])))));
            case ComprehensionTerm c:
                _scopes.Add(new Dictionary<string, int>(StringComparer.Ordinal));
                ResolveBodyInPlace(c.Body);
                if (c.Key is not null)
                {
                    c.Key = Term(c.Key);
                }

                c.Value = Term(c.Value);
                _scopes.RemoveAt(_scopes.Count - 1);
                return c;
            case CallTerm call:
                for (var i = 0; i < call.Args.Length; i++)
                {
                    call.Args[i] = Term(call.Args[i]);
                }

                BindCall(call);
                return call;
            default:
                return t;
        }
    }

    /// <summary>Composite literals made only of constants become one precomputed value.</summary>
    private static Term Fold(Term term, Term[] parts, Func<Value> build)
    {
        foreach (var p in parts)
        {
            if (p is not ScalarTerm)
            {
                return term;
            }
        }

        return new ScalarTerm(build()) { Line = term.Line, Column = term.Column };
    }

    private static Value ConstantOf(Term t) => ((ScalarTerm)t).Value;

    private Term Var(VarTerm v, bool declare)
    {
        if (declare)
        {
            Declare(v);
            return v;
        }

        if (v.IsWildcard)
        {
            v.Slot = _slots++;
            return v;
        }

        if (TryLookup(v.Name, out var slot))
        {
            v.Slot = slot;
            return v;
        }

        if (v.Name is "input" or "data")
        {
            return v;
        }

        if (_imports.TryGetValue(v.Name, out var importPath))
        {
            return DataRef(importPath, v);
        }

        if (_packageRules.Contains(v.Name))
        {
            return DataRef(["data", .. _package, v.Name], v);
        }

        Declare(v);
        return v;
    }

    private static RefTerm DataRef(string[] path, Term at) =>
        new(new VarTerm(path[0]) { Line = at.Line, Column = at.Column }, path.Skip(1).Select(p => (Term)new ScalarTerm(Value.String(p))).ToArray())
        {
            Line = at.Line,
            Column = at.Column,
        };

    private void BindCall(CallTerm call)
    {
        var parts = call.Name.Split('.');
        string[]? path = null;
        if (parts[0] == "data")
        {
            path = parts[1..];
        }
        else if (_imports.TryGetValue(parts[0], out var imported) && imported[0] == "data")
        {
            path = [.. imported[1..], .. parts[1..]];
        }
        else if (_packageRules.Contains(parts[0]) && !TryLookup(parts[0], out _))
        {
            path = [.. _package, .. parts];
        }

        if (path is not null)
        {
            var node = _root;
            foreach (var p in path)
            {
                if (!node.Children.TryGetValue(p, out node))
                {
                    throw Error(call, $"undefined function data.{string.Join('.', path)}");
                }
            }

            if (!node.IsFunction)
            {
                throw Error(call, $"data.{string.Join('.', path)} is not a function");
            }

            if (call.Args.Length != node.Arity && call.Args.Length != node.Arity + 1)
            {
                throw new RegoException(RegoException.Codes.TypeError, $"{node.DottedPath}: arity mismatch: expected {node.Arity} arguments, got {call.Args.Length}", _file, call.Line, call.Column);
            }

            call.Function = node;
            call.Name = node.DottedPath;
            return;
        }

        if (_builtins.TryGetValue(call.Name, out var builtin))
        {
            if (builtin.Deprecated && _v1)
            {
                throw new RegoException(RegoException.Codes.TypeError, $"deprecated built-in function calls in expression: {call.Name}", _file, call.Line, call.Column);
            }

            call.Builtin = builtin;
            if (builtin.Arity >= 0 && call.Args.Length != builtin.Arity && call.Args.Length != builtin.Arity + 1)
            {
                throw new RegoException(RegoException.Codes.TypeError, $"{call.Name}: arity mismatch: expected {builtin.Arity} arguments, got {call.Args.Length}", _file, call.Line, call.Column);
            }

            return;
        }

        throw new RegoException(RegoException.Codes.TypeError, $"undefined function {call.Name}", _file, call.Line, call.Column);
    }
}
