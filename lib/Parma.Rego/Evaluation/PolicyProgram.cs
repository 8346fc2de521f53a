using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>Compiled modules: the rule tree (with resolved bodies), base data and the builtin table.</summary>
internal sealed class PolicyProgram
{
    private PolicyProgram(RuleNode root, Value data, int nodeCount, IReadOnlyDictionary<string, BuiltinFunction> builtins)
    {
        Root = root;
        Data = data;
        NodeCount = nodeCount;
        Builtins = builtins;
        ConstantValues = new Value?[nodeCount];
    }

    public RuleNode Root { get; }

    public Value Data { get; }

    public int NodeCount { get; }

    public IReadOnlyDictionary<string, BuiltinFunction> Builtins { get; }

    /// <summary>
    /// Values of constant rules (<see cref="RuleNode.IsConstant"/>), by node index, filled by the first evaluation
    /// that needs them and shared by all later ones. Entries are written once with immutable values, so a race
    /// only computes the same value twice.
    /// </summary>
    public Value?[] ConstantValues { get; }

    public static PolicyProgram Build(IEnumerable<(string FileName, string Text)> sources, Value? data, RegoOptions options)
    {
        var builtins = Parma.Rego.Builtins.BuiltinTable.All;
        var modules = sources.Select(s => Parser.ParseModule(s.FileName, s.Text, options.Version)).ToList();
        var count = 0;
        var root = new RuleNode([], count++);
        var packageRules = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var pkgKey = string.Join('.', module.Package);
            if (!packageRules.TryGetValue(pkgKey, out var names))
            {
                packageRules[pkgKey] = names = new HashSet<string>(StringComparer.Ordinal);
            }

            var pkgNode = Node(root, module.Package, ref count);
            foreach (var rule in module.Rules)
            {
                var headName = ((StringValue)((ScalarTerm)rule.HeadRef[0]).Value).Text;
                names.Add(headName);
                var prefix = new List<string>();
                var index = 0;
                while (index < rule.HeadRef.Count && rule.HeadRef[index] is ScalarTerm { Value: StringValue seg } && (rule.Kind != RuleKind.PartialObject || index < rule.HeadRef.Count - 1 || index == 0))
                {
                    prefix.Add(seg.Text);
                    index++;
                }

                if (rule.Kind == RuleKind.PartialObject)
                {
                    rule.Keys = rule.HeadRef.Skip(index).ToArray();
                    if (rule.Keys.Length == 0)
                    {
                        rule.Kind = RuleKind.Complete;
                    }
                }
                else if (rule.Kind == RuleKind.PartialSet && index != rule.HeadRef.Count)
                {
                    rule.Kind = RuleKind.PartialObject;
                    rule.SetLeaf = true;
                    rule.Keys = rule.HeadRef.Skip(index).ToArray();
                    rule.Value = rule.Key;
                    rule.Key = null;
                }
                else if (index != rule.HeadRef.Count)
                {
                    throw new RegoException(RegoException.Codes.CompileError, "rule reference must be constant for this kind of rule", rule.File, rule.Line, 1);
                }

                for (var r = rule; r is not null; r = r.Else)
                {
                    r.Package = module.Package;
                    r.Kind = rule.Kind;
                }

                var node = Node(pkgNode, prefix, ref count);
                if (rule.Kind == RuleKind.Function)
                {
                    var arity = rule.Args!.Length;
                    if (node.Arity >= 0 && node.Arity != arity)
                    {
                        throw new RegoException(RegoException.Codes.TypeError, $"function {node.DottedPath} has arity {node.Arity} and {arity}", rule.File, rule.Line, 1);
                    }

                    node.Arity = arity;
                }

                if (rule.IsDefault)
                {
                    if (node.Default is not null)
                    {
                        throw new RegoException(RegoException.Codes.TypeError, $"multiple default rules {node.DottedPath} found", rule.File, rule.Line, 1);
                    }

                    node.Default = rule;
                }
                else
                {
                    if (node.Rules.Count > 0 && node.Rules[0].Kind != rule.Kind)
                    {
                        throw new RegoException(RegoException.Codes.TypeError, $"conflicting rules {node.DottedPath} found", rule.File, rule.Line, 1);
                    }

                    node.Rules.Add(rule);
                }
            }
        }

        foreach (var module in modules)
        {
            var imports = module.Imports.ToDictionary(i => i.Alias, i => i.Path, StringComparer.Ordinal);
            var resolver = new Resolver(root, builtins, module.Package, packageRules[string.Join('.', module.Package)], imports, module.File, module.V1);
            foreach (var rule in module.Rules)
            {
                resolver.ResolveRule(rule);
            }
        }

        MarkFirstSuccess(root);
        ConstantRules.Mark(root);
        return new PolicyProgram(root, data ?? Value.EmptyObject, count, builtins);
    }

    private static void MarkFirstSuccess(RuleNode node)
    {
        node.FirstSuccessDecides = node.Rules.Count > 0 && node.Rules.All(r => r.Kind is RuleKind.Complete or RuleKind.Function && AllTrue(r));
        foreach (var child in node.Children.Values)
        {
            MarkFirstSuccess(child);
        }
    }

    private static bool AllTrue(RuleAst rule)
    {
        for (var r = rule; r is not null; r = r.Else)
        {
            if (r.Value is not null && !(r.Value is ScalarTerm { Value: BooleanValue { BoolValue: true } }))
            {
                return false;
            }
        }

        return true;
    }

    private static RuleNode Node(RuleNode start, IEnumerable<string> path, ref int count)
    {
        var node = start;
        foreach (var part in path)
        {
            if (!node.Children.TryGetValue(part, out var child))
            {
                child = new RuleNode([.. node.Path, part], count++);
                node.Children[part] = child;
            }

            node = child;
        }

        return node;
    }

    public ResolvedQuery ResolveQuery(string query, bool v1)
    {
        var body = Parser.ParseQuery(query, v1);
        var resolver = new Resolver(Root, Builtins, [], [], [], "<query>");
        resolver.ResolveQuery(body);
        var vars = resolver.TopScope
            .Where(kv => !kv.Key.StartsWith('$'))
            .Select(kv => (kv.Key, kv.Value))
            .ToList();
        return new ResolvedQuery(body, resolver.SlotCount, vars);
    }
}

internal sealed record ResolvedQuery(Body Body, int SlotCount, List<(string Name, int Slot)> Variables);
