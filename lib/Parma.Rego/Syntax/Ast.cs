namespace Parma.Rego.Syntax;

/// <summary>A Rego term. Terms are rewritten in place by the compiler (variable slots, rule references).</summary>
internal abstract class Term
{
    public int Line { get; set; }

    public int Column { get; set; }
}

internal sealed class ScalarTerm(Value value) : Term
{
    public Value Value { get; } = value;
}

internal sealed class VarTerm(string name) : Term
{
    public string Name { get; } = name;

    /// <summary>Slot in the evaluation frame; -1 until the compiler resolves it.</summary>
    public int Slot { get; set; } = -1;

    public bool IsWildcard => Name == "_";
}

internal sealed class RefTerm(Term head, Term[] path) : Term
{
    public Term Head { get; set; } = head;

    public Term[] Path { get; } = path;

    /// <summary>For references into data: the rule the constant prefix leads to, resolved on first evaluation.</summary>
    public Evaluation.DataRuleTarget? RuleTarget { get; set; }
}

internal sealed class ArrayTerm(Term[] items) : Term
{
    public Term[] Items { get; } = items;
}

internal sealed class SetTerm(Term[] items) : Term
{
    public Term[] Items { get; } = items;
}

internal sealed class ObjectTerm(Term[] keys, Term[] values) : Term
{
    public Term[] Keys { get; } = keys;

    public Term[] Values { get; } = values;

    /// <summary>How to build the object, worked out on first evaluation (shared by every evaluation).</summary>
    public Evaluation.ObjectLiteralPlan? Plan { get; set; }
}

internal enum ComprehensionKind
{
    Array,
    Set,
    Object,
}

internal sealed class ComprehensionTerm(ComprehensionKind kind, Term? key, Term value, Body body) : Term
{
    public ComprehensionKind Kind { get; } = kind;

    public Term? Key { get; set; } = key;

    public Term Value { get; set; } = value;

    public Body Body { get; } = body;
}

/// <summary>A call: to a builtin (by dotted name) or, after compilation, a user function at a data path.</summary>
internal sealed class CallTerm(string name, Term[] args) : Term
{
    public string Name { get; set; } = name;

    public Term[] Args { get; } = args;

    public Evaluation.BuiltinFunction? Builtin { get; set; }

    public Evaluation.RuleNode? Function { get; set; }
}

internal sealed class Body(List<Expr> exprs)
{
    public List<Expr> Exprs { get; set; } = exprs;
}

internal enum ExprKind
{
    Term,
    Unify,
    Assign,
    Some,
    SomeIn,
    Every,
}

internal sealed class WithModifier(Term target, Term value)
{
    public Term Target { get; set; } = target;

    public Term Value { get; set; } = value;

    public string[] TargetPath { get; set; } = [];
}

internal sealed class Expr
{
    public ExprKind Kind { get; set; }

    public bool Negated { get; set; }

    /// <summary>Term: the term. Unify/Assign: left side. SomeIn/Every: key (may be null).</summary>
    public Term? Left { get; set; }

    /// <summary>Unify/Assign: right side. SomeIn/Every: value pattern.</summary>
    public Term? Right { get; set; }

    /// <summary>SomeIn/Every: the collection.</summary>
    public Term? Collection { get; set; }

    public VarTerm[] SomeVars { get; set; } = [];

    public Body? EveryBody { get; set; }

    public List<WithModifier> With { get; } = [];

    public int Line { get; set; }

    public int Column { get; set; }

    public string Text { get; set; } = string.Empty;

    /// <summary>Top-level query terms capture their value here (so `false` is a result, as in `opa eval`); -1 otherwise.</summary>
    public int CaptureSlot { get; set; } = -1;

    /// <summary>
    /// A captured query expression is also a condition: a solution whose value is false is dropped. OPA's query
    /// rewriting adds this check when the query has more than one expression or iterates.
    /// </summary>
    public bool CaptureChecked { get; set; }
}

internal enum RuleKind
{
    Complete,
    PartialSet,
    PartialObject,
    Function,
}

internal sealed class RuleAst
{
    public required string File { get; init; }

    public int Line { get; init; }

    public RuleKind Kind { get; set; }

    public bool IsDefault { get; set; }

    /// <summary>Head reference after the package: first element is the rule name, then segments.</summary>
    public List<Term> HeadRef { get; set; } = [];

    /// <summary>Set element (PartialSet) or object key (legacy v0 `p[k] = v`).</summary>
    public Term? Key { get; set; }

    public Term? Value { get; set; }

    public Term[]? Args { get; set; }

    /// <summary>PartialObject: the head reference segments after the rule's node path.</summary>
    public Term[] Keys { get; set; } = [];

    public string[] Package { get; set; } = [];

    /// <summary>A `contains` rule under a non-constant reference: its keys lead to a set.</summary>
    public bool SetLeaf { get; set; }

    public Body Body { get; set; } = new([]);

    public RuleAst? Else { get; set; }

    public int SlotCount { get; set; }
}

internal sealed class ImportAst(string[] path, string alias)
{
    public string[] Path { get; } = path;

    public string Alias { get; } = alias;
}

internal sealed class ModuleAst
{
    public required string File { get; init; }

    public string[] Package { get; set; } = [];

    public List<ImportAst> Imports { get; } = [];

    public List<RuleAst> Rules { get; } = [];

    public bool V1 { get; set; }
}
