using System.Text;

namespace Parma.Agent.Protocol;

/// <summary>
/// Kata serialises requests with the names rust-protobuf generates: a field keeps its proto name,
/// with a trailing underscore when that is a Rust keyword (Mount's <c>type</c> becomes <c>type_</c>);
/// a oneof's member becomes an enum variant named in CamelCase (<c>string_user</c> → <c>StringUser</c>).
/// </summary>
public static class RustFieldNames
{
    /// <summary>The words rust-protobuf's code generator escapes (its keywords list).</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "as", "async", "await", "break", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
        "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "self", "Self", "struct", "super",
        "true", "trait", "type", "unsafe", "use", "while", "continue", "box", "const", "where", "virtual", "proc", "alignof",
        "become", "offsetof", "priv", "pure", "sizeof", "typeof", "unsized", "yield", "do", "abstract", "final", "override",
        "macro",
    };

    public static string Of(string protoName) => Keywords.Contains(protoName) ? protoName + "_" : protoName;

    /// <summary>The variant name of a oneof member: each '_'-separated part capitalised, the underscores dropped.</summary>
    public static string OfOneofMember(string protoName)
    {
        var name = new StringBuilder(protoName.Length);
        var upper = true;
        foreach (var c in protoName)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            name.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return name.ToString();
    }
}
