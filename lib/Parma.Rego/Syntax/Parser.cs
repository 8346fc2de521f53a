namespace Parma.Rego.Syntax;

/// <summary>Recursive-descent parser for Rego v0 and v1 modules and queries.</summary>
internal sealed partial class Parser
{
    private readonly List<Token> _tokens;
    private readonly string _file;
    private readonly string _source;
    private int _pos;
    private bool _v1;
    private bool _keywords;
    private bool _newlineEnds;
    private bool _noPipe;

    private Parser(string file, string source, bool v1)
    {
        _file = file;
        _source = source;
        _tokens = Lexer.Tokenize(file, source);
        _v1 = v1;
        _keywords = v1;
    }

    /// <summary>
    /// Parses a module in the given syntax (see <see cref="RegoVersion"/>). Under <see cref="RegoVersion.Auto"/> a
    /// module that is not valid v1 is read as v0; when it is not valid v0 either, the error reported is v0's for a
    /// module that imports <c>future.keywords</c> (written for a v0 engine) and v1's otherwise.
    /// </summary>
    public static ModuleAst ParseModule(string file, string source, RegoVersion version)
    {
        switch (version)
        {
            case RegoVersion.V0:
                return new Parser(file, source, v1: false).Module();
            case RegoVersion.V1:
                return new Parser(file, source, v1: true).Module();
        }

        try
        {
            return new Parser(file, source, v1: true).Module();
        }
        catch (RegoException v1Error) when (v1Error.Code == RegoException.Codes.ParseError)
        {
            try
            {
                return new Parser(file, source, v1: false).Module();
            }
            catch (RegoException) when (!ImportsFutureKeywords(file, source))
            {
                throw v1Error;
            }
        }
    }

    private static bool ImportsFutureKeywords(string file, string source)
    {
        var tokens = Lexer.Tokenize(file, source);
        for (var i = 0; i + 2 < tokens.Count; i++)
        {
            if (tokens[i] is { Kind: TokenKind.Ident, Text: "import" } && tokens[i + 1] is { Kind: TokenKind.Ident, Text: "future" } && tokens[i + 2].Kind == TokenKind.Dot)
            {
                return true;
            }
        }

        return false;
    }

    public static Body ParseQuery(string source, bool v1)
    {
        var parser = new Parser("<query>", source, v1) { _keywords = true };
        var body = parser.BodyUntil(TokenKind.Eof);
        if (body.Exprs.Count == 0)
        {
            throw parser.Error("empty query");
        }

        return body;
    }

    private Token Tok => _tokens[_pos];

    private Token Peek(int n = 1) => _tokens[Math.Min(_pos + n, _tokens.Count - 1)];

    private Token Advance() => _tokens[_pos++];

    private bool IsIdent(string text) => Tok.Kind == TokenKind.Ident && Tok.Text == text;

    private bool IsKeyword(string text) => _keywords && IsIdent(text);

    private RegoException Error(string message) =>
        new(RegoException.Codes.ParseError, message, _file, Tok.Line, Tok.Column);

    private RegoException Expected(string what) =>
        Error(Tok.Kind == TokenKind.Eof ? $"unexpected eof token: expected {what}" : $"unexpected {Describe(Tok)} token: expected {what}");

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Ident => $"ident '{t.Text}'",
        TokenKind.String or TokenKind.RawString => "string",
        TokenKind.Number => "number",
        _ => $"'{t.Text}'",
    };

    private Token Expect(TokenKind kind, string what)
    {
        if (Tok.Kind != kind)
        {
            throw Expected(what);
        }

        return Advance();
    }

    private void ExpectIdent(string word)
    {
        if (!IsIdent(word))
        {
            throw Expected(word);
        }

        Advance();
    }

    private ModuleAst Module()
    {
        var module = new ModuleAst { File = _file };
        if (!IsIdent("package"))
        {
            throw Expected("package");
        }

        Advance();
        module.Package = DottedPath("package name");
        while (IsIdent("import"))
        {
            Import(module);
        }

        module.V1 = _v1;
        while (Tok.Kind != TokenKind.Eof)
        {
            if (IsIdent("import"))
            {
                throw Error("import must come before rules");
            }

            if (IsIdent("package"))
            {
                throw Error("unexpected package: a file holds exactly one package");
            }

            module.Rules.AddRange(Rule());
        }

        module.V1 = _v1;
        return module;
    }

    private string[] DottedPath(string what)
    {
        var parts = new List<string> { Expect(TokenKind.Ident, what).Text };
        while (true)
        {
            if (Tok.Kind == TokenKind.Dot && !Tok.NewlineBefore)
            {
                Advance();
                parts.Add(Expect(TokenKind.Ident, what).Text);
            }
            else if (Tok.Kind == TokenKind.LBracket && !Tok.NewlineBefore && Peek().Kind == TokenKind.String && Peek(2).Kind == TokenKind.RBracket)
            {
                Advance();
                parts.Add(Advance().Text);
                Advance();
            }
            else
            {
                return [.. parts];
            }
        }
    }

    private void Import(ModuleAst module)
    {
        Advance();
        var line = Tok.Line;
        var path = DottedPath("import path");
        string? alias = null;
        if (IsIdent("as") && Tok.Line == line)
        {
            Advance();
            alias = Expect(TokenKind.Ident, "import alias").Text;
        }

        switch (path[0])
        {
            case "future":
                if (path.Length < 2 || path[1] != "keywords")
                {
                    throw Error($"unknown future import {string.Join('.', path)}");
                }

                _keywords = true;
                return;
            case "rego":
                if (path is not ["rego", "v1"])
                {
                    throw Error($"unknown import {string.Join('.', path)}");
                }

                _keywords = true;
                _v1 = true;
                return;
            case "data" or "input":
                module.Imports.Add(new ImportAst(path, alias ?? path[^1]));
                return;
            default:
                throw Error($"invalid import path {string.Join('.', path)}: must begin with input or data");
        }
    }
}
