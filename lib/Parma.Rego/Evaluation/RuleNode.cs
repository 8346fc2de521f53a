using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>A node of the virtual data tree: a package path or a rule path, with the rules that define it.</summary>
internal sealed class RuleNode(string[] path, int index)
{
    public string[] Path { get; } = path;

    public int Index { get; } = index;

    public Dictionary<string, RuleNode> Children { get; } = new(StringComparer.Ordinal);

    public List<RuleAst> Rules { get; } = [];

    public RuleAst? Default { get; set; }

    public int Arity { get; set; } = -1;

    public bool IsFunction => Arity >= 0;

    /// <summary>Every rule here yields `true` (no value term), so the first success decides: no conflict is possible.</summary>
    public bool FirstSuccessDecides { get; set; }

    /// <summary>The value depends only on the policy text (see <see cref="ConstantRules"/>); for a function, only on its arguments.</summary>
    public bool IsConstant { get; set; }

    public bool HasRules => Rules.Count > 0 || Default is not null;

    public string DottedPath => "data." + string.Join('.', Path);
}
