namespace Parma.Rego.Syntax;

internal sealed partial class Parser
{
    private bool LineBreak => _newlineEnds && Tok.NewlineBefore;

    private Term TermExpr(bool allowKeyIn = false)
    {
        var left = TermRelation();
        if (allowKeyIn && Tok.Kind == TokenKind.Comma && _keywords && !LineBreak)
        {
            var save = _pos;
            Advance();
            var value = TermRelation();
            if (IsKeyword("in"))
            {
                Advance();
                var coll = TermRelation();
                left = new CallTerm("internal.member_3", [left, value, coll]) { Line = left.Line, Column = left.Column };
            }
            else
            {
                _pos = save;
            }
        }

        while (IsKeyword("in") && !LineBreak)
        {
            Advance();
            var right = TermRelation();
            left = Call("internal.member_2", left, right);
        }

        return left;
    }

    private static CallTerm Call(string name, Term left, Term right) =>
        new(name, [left, right]) { Line = left.Line, Column = left.Column };

    private Term TermRelation()
    {
        var left = TermOr();
        while (!LineBreak)
        {
            var name = Tok.Kind switch
            {
                TokenKind.Equal => "equal",
                TokenKind.NotEqual => "neq",
                TokenKind.Less => "lt",
                TokenKind.LessEqual => "lte",
                TokenKind.Greater => "gt",
                TokenKind.GreaterEqual => "gte",
                _ => null,
            };
            if (name is null)
            {
                return left;
            }

            Advance();
            left = Call(name, left, TermOr());
        }

        return left;
    }

    private Term TermOr()
    {
        var left = TermAnd();
        while (Tok.Kind == TokenKind.Pipe && !_noPipe && !LineBreak)
        {
            Advance();
            left = Call("or", left, TermAnd());
        }

        return left;
    }

    private Term TermAnd()
    {
        var left = TermArith();
        while (Tok.Kind == TokenKind.Amp && !LineBreak)
        {
            Advance();
            left = Call("and", left, TermArith());
        }

        return left;
    }

    private Term TermArith()
    {
        var left = TermFactor();
        while (Tok.Kind is TokenKind.Plus or TokenKind.Minus && !LineBreak)
        {
            var name = Advance().Kind == TokenKind.Plus ? "plus" : "minus";
            left = Call(name, left, TermFactor());
        }

        return left;
    }

    private Term TermFactor()
    {
        var left = TermUnary();
        while (Tok.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent && !LineBreak)
        {
            var name = Advance().Kind switch { TokenKind.Star => "mul", TokenKind.Slash => "div", _ => "rem" };
            left = Call(name, left, TermUnary());
        }

        return left;
    }

    private Term TermUnary()
    {
        if (Tok.Kind == TokenKind.Minus)
        {
            var minus = Advance();
            if (Tok.Kind == TokenKind.Number && Tok.Offset == minus.End)
            {
                var num = Advance();
                return new ScalarTerm(ParseNumber("-" + num.Text)) { Line = minus.Line, Column = minus.Column };
            }

            var operand = TermUnary();
            return new CallTerm("minus", [new ScalarTerm(Value.Number(0)), operand]) { Line = minus.Line, Column = minus.Column };
        }

        return PrimaryTerm();
    }

    private Value ParseNumber(string text) =>
        NumberValue.Parse(text) ?? throw Error($"invalid number {text}");

    private Term PrimaryTerm()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("expression nested too deeply");
        }

        var t = Tok;
        Term term;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Advance();
                term = new ScalarTerm(ParseNumber(t.Text));
                break;
            case TokenKind.String:
            case TokenKind.RawString:
                Advance();
                term = new ScalarTerm(Value.String(t.Text));
                break;
            case TokenKind.LParen:
            {
                Advance();
                var save = (_newlineEnds, _noPipe);
                (_newlineEnds, _noPipe) = (false, false);
                term = TermExpr(allowKeyIn: true);
                (_newlineEnds, _noPipe) = save;
                Expect(TokenKind.RParen, "')'");
                break;
            }

            case TokenKind.LBracket:
                term = ArrayOrComprehension();
                break;
            case TokenKind.LBrace:
                term = ObjectOrSet();
                break;
            case TokenKind.Ident:
                term = IdentTerm();
                break;
            default:
                throw Expected("term");
        }

        term.Line = t.Line;
        term.Column = t.Column;
        return Postfix(term);
    }

    private Term IdentTerm()
    {
        var t = Advance();
        switch (t.Text)
        {
            case "true":
                return new ScalarTerm(Value.True);
            case "false":
                return new ScalarTerm(Value.False);
            case "null":
                return new ScalarTerm(Value.Null);
            case "set" when Tok.Kind == TokenKind.LParen && Peek().Kind == TokenKind.RParen:
                Advance();
                Advance();
                return new SetTerm([]);
        }

        var names = new List<string> { t.Text };
        var save = _pos;
        while (Tok.Kind == TokenKind.Dot && Peek().Kind == TokenKind.Ident && Tok.Offset == _tokens[_pos - 1].End)
        {
            Advance();
            names.Add(Advance().Text);
        }

        if (Tok.Kind == TokenKind.LParen && Tok.Offset == _tokens[_pos - 1].End)
        {
            Advance();
            var args = CollectionItems(TokenKind.RParen);
            Expect(TokenKind.RParen, "')'");
            return new CallTerm(string.Join('.', names), args);
        }

        _pos = save;
        return new VarTerm(t.Text);
    }

    private Term Postfix(Term term)
    {
        var path = new List<Term>();
        while (!Tok.NewlineBefore || !_newlineEnds)
        {
            if (Tok.Kind == TokenKind.Dot && Tok.Offset == _tokens[_pos - 1].End)
            {
                Advance();
                var seg = Expect(TokenKind.Ident, "identifier after '.'");
                path.Add(new ScalarTerm(Value.String(seg.Text)) { Line = seg.Line, Column = seg.Column });
            }
            else if (Tok.Kind == TokenKind.LBracket && Tok.Offset == _tokens[_pos - 1].End)
            {
                Advance();
                var save = (_newlineEnds, _noPipe);
                (_newlineEnds, _noPipe) = (false, false);
                path.Add(TermExpr());
                (_newlineEnds, _noPipe) = save;
                Expect(TokenKind.RBracket, "']'");
            }
            else
            {
                break;
            }
        }

        if (path.Count == 0)
        {
            return term;
        }

        if (term is RefTerm inner)
        {
            return new RefTerm(inner.Head, [.. inner.Path, .. path]) { Line = term.Line, Column = term.Column };
        }

        return new RefTerm(term, [.. path]) { Line = term.Line, Column = term.Column };
    }

    private Term[] CollectionItems(TokenKind end)
    {
        var save = (_newlineEnds, _noPipe);
        (_newlineEnds, _noPipe) = (false, false);
        var items = TermList(end);
        (_newlineEnds, _noPipe) = save;
        return items;
    }

    private Term[] TermList(TokenKind end)
    {
        var items = new List<Term>();
        while (Tok.Kind != end)
        {
            items.Add(TermExpr());
            if (Tok.Kind == TokenKind.Comma)
            {
                Advance();
            }
            else if (Tok.Kind != end)
            {
                throw Expected("',' or closing bracket");
            }
        }

        return [.. items];
    }

    private Term ArrayOrComprehension()
    {
        Advance();
        var save = (_newlineEnds, _noPipe);
        (_newlineEnds, _noPipe) = (false, true);
        if (Tok.Kind == TokenKind.RBracket)
        {
            Advance();
            (_newlineEnds, _noPipe) = save;
            return new ArrayTerm([]);
        }

        var first = TermExpr();
        _noPipe = false;
        Term result;
        if (Tok.Kind == TokenKind.Pipe)
        {
            Advance();
            var body = BodyUntil(TokenKind.RBracket);
            result = new ComprehensionTerm(ComprehensionKind.Array, null, first, body);
        }
        else
        {
            var items = new List<Term> { first };
            if (Tok.Kind == TokenKind.Comma)
            {
                Advance();
                items.AddRange(TermList(TokenKind.RBracket));
            }

            result = new ArrayTerm([.. items]);
        }

        Expect(TokenKind.RBracket, "']'");
        (_newlineEnds, _noPipe) = save;
        return result;
    }

    private Term ObjectOrSet()
    {
        Advance();
        var save = (_newlineEnds, _noPipe);
        (_newlineEnds, _noPipe) = (false, true);
        if (Tok.Kind == TokenKind.RBrace)
        {
            Advance();
            (_newlineEnds, _noPipe) = save;
            return new ObjectTerm([], []);
        }

        var first = TermExpr();
        Term result;
        if (Tok.Kind == TokenKind.Colon)
        {
            Advance();
            var value = TermExpr();
            _noPipe = false;
            if (Tok.Kind == TokenKind.Pipe)
            {
                Advance();
                result = new ComprehensionTerm(ComprehensionKind.Object, first, value, BodyUntil(TokenKind.RBrace));
            }
            else
            {
                var keys = new List<Term> { first };
                var values = new List<Term> { value };
                while (Tok.Kind == TokenKind.Comma)
                {
                    Advance();
                    if (Tok.Kind == TokenKind.RBrace)
                    {
                        break;
                    }

                    keys.Add(TermExpr());
                    Expect(TokenKind.Colon, "':'");
                    values.Add(TermExpr());
                }

                result = new ObjectTerm([.. keys], [.. values]);
            }
        }
        else
        {
            _noPipe = false;
            if (Tok.Kind == TokenKind.Pipe)
            {
                Advance();
                result = new ComprehensionTerm(ComprehensionKind.Set, null, first, BodyUntil(TokenKind.RBrace));
            }
            else
            {
                var items = new List<Term> { first };
                if (Tok.Kind == TokenKind.Comma)
                {
                    Advance();
                    items.AddRange(TermList(TokenKind.RBrace));
                }

                result = new SetTerm([.. items]);
            }
        }

        Expect(TokenKind.RBrace, "'}'");
        (_newlineEnds, _noPipe) = save;
        return result;
    }
}
