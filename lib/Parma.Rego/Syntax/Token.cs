namespace Parma.Rego.Syntax;

internal enum TokenKind
{
    Eof,
    Ident,
    String,
    RawString,
    Number,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Dot,
    Comma,
    Semicolon,
    Colon,
    Assign,
    Unify,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Amp,
    Pipe,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, bool NewlineBefore, int Offset, int End);
