namespace Parma.Agent.Protocol;

/// <summary>
/// Kata serialises requests with the field names rust-protobuf generates: the proto name, with a
/// trailing underscore when it is a Rust keyword (Mount's <c>type</c> becomes <c>type_</c>).
/// </summary>
public static class RustFieldNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn", "for",
        "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct",
        "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    };

    public static string Of(string protoName) => Keywords.Contains(protoName) ? protoName + "_" : protoName;
}
