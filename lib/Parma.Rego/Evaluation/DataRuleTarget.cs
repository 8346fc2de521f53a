using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>Where a data reference's constant prefix leads: a rule node that is a leaf of the rule tree, after <see cref="Depth"/> segments; Node is null when there is none.</summary>
internal sealed record DataRuleTarget(RuleNode? Node, int Depth)
{
    private static readonly DataRuleTarget None = new(null, 0);

    public static DataRuleTarget Resolve(RuleNode root, Term[] path)
    {
        var node = root;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] is not ScalarTerm { Value: StringValue s } || !node.Children.TryGetValue(s.Text, out var child))
            {
                return None;
            }

            node = child;
            if (node.HasRules)
            {
                return node.IsFunction || node.Children.Count > 0 ? None : new DataRuleTarget(node, i + 1);
            }
        }

        return None;
    }
}
