using Parma.Rego.Evaluation;

namespace Parma.Rego.Builtins;

/// <summary>The registry of builtin functions by name.</summary>
internal static class BuiltinTable
{
    public static readonly IReadOnlyDictionary<string, BuiltinFunction> All = Build();

    private static Dictionary<string, BuiltinFunction> Build()
    {
        var table = new Dictionary<string, BuiltinFunction>(StringComparer.Ordinal);
        void Add(string name, int arity, BuiltinImpl impl) =>
            table[name] = new BuiltinFunction(name, arity, impl) { Deprecated = Builtins.Deprecated.Names.Contains(name) };
        Add("print", -1, _ => Value.True);
        Operators.Register(Add);
        Aggregates.Register(Add);
        Strings.Register(Add);
        Types.Register(Add);
        Collections.Register(Add);
        Regexes.Register(Add);
        Encodings.Register(Add);
        Hashes.Register(Add);
        Units.Register(Add);
        Net.Register(Add);
        Glob.Register(Add);
        Graphs.Register(Add);
        JsonDocuments.Register(Add);
        Subsets.Register(Add);
        UrlQuery.Register(Add);
        Yaml.Register(Add);
        Time.Register(Add);
        Jwt.Register(Add);
        RegexTemplate.Register(Add);
        Uuid.Register(Add);
        X509.Register(Add);
        JsonSchema.Register(Add);
        Builtins.Deprecated.Register(Add);
        table["walk"] = new BuiltinFunction("walk", 1, _ => null) { Relation = Graphs.Walk };
        return table;
    }
}

internal delegate void Registrar(string name, int arity, BuiltinImpl impl);
