using System.Text;

namespace Parma.Rego.Syntax;

/// <summary>Turns Rego source into tokens; records whether a newline preceded each token (newlines separate body expressions).</summary>
internal sealed class Lexer
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string file, string text)
    {
        _file = file;
        _text = text;
    }

    public static List<Token> Tokenize(string file, string text) => new Lexer(file, text).Run();

    private List<Token> Run()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var newline = SkipTrivia();
            var start = _pos;
            var line = _line;
            var col = _pos - _lineStart + 1;
            if (_pos >= _text.Length)
            {
                tokens.Add(new Token(TokenKind.Eof, string.Empty, line, col, true, start, start));
                return tokens;
            }

            var (kind, value) = Next(line, col);
            tokens.Add(new Token(kind, value, line, col, newline, start, _pos));
        }
    }

    private bool SkipTrivia()
    {
        var newline = false;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                newline = true;
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c is ' ' or '\t' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                break;
            }
        }

        return newline;
    }

    private RegoException Error(string message, int line, int col) =>
        new(RegoException.Codes.ParseError, message, _file, line, col);

    private (TokenKind, string) Next(int line, int col)
    {
        var c = _text[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            var start = _pos;
            while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            {
                _pos++;
            }

            return (TokenKind.Ident, _text[start.._pos]);
        }

        if (char.IsAsciiDigit(c))
        {
            return (TokenKind.Number, ReadNumber());
        }

        if (c == '"')
        {
            return (TokenKind.String, ReadString(line, col));
        }

        if (c == '`')
        {
            var end = _text.IndexOf('`', _pos + 1);
            if (end < 0)
            {
                throw Error("unterminated raw string", line, col);
            }

            var raw = _text[(_pos + 1)..end];
            foreach (var ch in raw)
            {
                if (ch == '\n')
                {
                    _line++;
                }
            }

            _pos = end + 1;
            if (raw.Contains('\n', StringComparison.Ordinal))
            {
                _lineStart = _text.LastIndexOf('\n', end) + 1;
            }

            return (TokenKind.RawString, raw);
        }

        _pos++;
        var next = _pos < _text.Length ? _text[_pos] : '\0';
        switch (c)
        {
            case '{': return (TokenKind.LBrace, "{");
            case '}': return (TokenKind.RBrace, "}");
            case '[': return (TokenKind.LBracket, "[");
            case ']': return (TokenKind.RBracket, "]");
            case '(': return (TokenKind.LParen, "(");
            case ')': return (TokenKind.RParen, ")");
            case '.': return (TokenKind.Dot, ".");
            case ',': return (TokenKind.Comma, ",");
            case ';': return (TokenKind.Semicolon, ";");
            case '+': return (TokenKind.Plus, "+");
            case '-': return (TokenKind.Minus, "-");
            case '*': return (TokenKind.Star, "*");
            case '/': return (TokenKind.Slash, "/");
            case '%': return (TokenKind.Percent, "%");
            case '&': return (TokenKind.Amp, "&");
            case '|': return (TokenKind.Pipe, "|");
            case ':' when next == '=':
                _pos++;
                return (TokenKind.Assign, ":=");
            case ':': return (TokenKind.Colon, ":");
            case '=' when next == '=':
                _pos++;
                return (TokenKind.Equal, "==");
            case '=': return (TokenKind.Unify, "=");
            case '!' when next == '=':
                _pos++;
                return (TokenKind.NotEqual, "!=");
            case '<' when next == '=':
                _pos++;
                return (TokenKind.LessEqual, "<=");
            case '<': return (TokenKind.Less, "<");
            case '>' when next == '=':
                _pos++;
                return (TokenKind.GreaterEqual, ">=");
            case '>': return (TokenKind.Greater, ">");
            default:
                throw Error($"illegal token '{c}'", line, col);
        }
    }

    private string ReadNumber()
    {
        var start = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (_pos + 1 < _text.Length && _text[_pos] == '.' && char.IsAsciiDigit(_text[_pos + 1]))
        {
            _pos++;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < _text.Length && _text[_pos] is 'e' or 'E')
        {
            var save = _pos;
            _pos++;
            if (_pos < _text.Length && _text[_pos] is '+' or '-')
            {
                _pos++;
            }

            if (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                _pos = save;
            }
        }

        return _text[start.._pos];
    }

    private string ReadString(int line, int col)
    {
        var sb = new StringBuilder();
        _pos++;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                throw Error("non-terminated string", line, col);
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= _text.Length)
            {
                throw Error("non-terminated string", line, col);
            }

            var e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), System.Globalization.NumberStyles.HexNumber, null, out var code))
                    {
                        throw Error("invalid unicode escape in string", line, col);
                    }

                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Error($"invalid escape sequence '\\{e}' in string", line, col);
            }
        }
    }
}
