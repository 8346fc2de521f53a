namespace Parma.Rego.Syntax;

internal sealed partial class Parser
{
    private readonly HashSet<Term> _dotSegments = [];

    private List<RuleAst> Rule()
    {
        var start = Tok;
        var rule = new RuleAst { File = _file, Line = start.Line };
        if (IsIdent("default"))
        {
            Advance();
            rule.IsDefault = true;
        }

        var saveNl = _newlineEnds;
        _newlineEnds = false;
        rule.HeadRef = HeadRef();
        if (Tok.Kind == TokenKind.LParen && !Tok.NewlineBefore)
        {
            Advance();
            rule.Args = TermList(TokenKind.RParen);
            Expect(TokenKind.RParen, "')'");
        }

        var isContains = false;
        if (IsKeyword("contains") && rule.Args is null)
        {
            Advance();
            isContains = true;
            rule.Key = TermExpr();
        }

        _newlineEnds = true;
        if (Tok.Kind is TokenKind.Assign or TokenKind.Unify && !isContains)
        {
            Advance();
            _newlineEnds = false;
            rule.Value = TermExpr();
            _newlineEnds = true;
        }

        if (rule.IsDefault)
        {
            if (rule.Value is null)
            {
                throw Expected("':=' after default rule name");
            }

            rule.Kind = rule.Args is null ? RuleKind.Complete : RuleKind.Function;
            _newlineEnds = saveNl;
            return [rule];
        }

        var hasBody = RuleBody(rule, start);
        ClassifyRule(rule, isContains, hasBody);
        var current = rule;
        while (IsIdent("else"))
        {
            var elseTok = Advance();
            var elseRule = new RuleAst { File = _file, Line = elseTok.Line, HeadRef = rule.HeadRef, Args = rule.Args, Kind = rule.Kind };
            if (Tok.Kind is TokenKind.Assign or TokenKind.Unify)
            {
                Advance();
                _newlineEnds = false;
                elseRule.Value = TermExpr();
                _newlineEnds = true;
            }

            RuleBody(elseRule, elseTok);
            current.Else = elseRule;
            current = elseRule;
        }

        _newlineEnds = saveNl;
        return [rule];
    }

    private bool RuleBody(RuleAst rule, Token start)
    {
        if (IsKeyword("if"))
        {
            Advance();
            if (Tok.Kind == TokenKind.LBrace)
            {
                rule.Body = BracedBody();
            }
            else
            {
                var save = _newlineEnds;
                _newlineEnds = true;
                rule.Body = new Body([Literal()]);
                _newlineEnds = save;
            }

            return true;
        }

        if (Tok.Kind == TokenKind.LBrace && (!Tok.NewlineBefore || Tok.Line == start.Line))
        {
            if (_v1)
            {
                throw Error("`if` keyword is required before rule body");
            }

            rule.Body = BracedBody();
            if (Tok.Kind == TokenKind.LBrace && !Tok.NewlineBefore)
            {
                throw Error("multiple rule bodies are not supported; write separate rules");
            }

            return true;
        }

        return false;
    }

    private void ClassifyRule(RuleAst rule, bool isContains, bool hasBody)
    {
        if (rule.Args is not null)
        {
            rule.Kind = RuleKind.Function;
            return;
        }

        if (isContains)
        {
            rule.Kind = RuleKind.PartialSet;
            return;
        }

        if (!_v1 && !hasBody && rule.Value is null && rule.HeadRef.Count == 1)
        {
            throw new RegoException(RegoException.Codes.ParseError, "var cannot be used for rule name", _file, rule.Line, rule.HeadRef[0].Column);
        }

        if (_v1 && !hasBody && rule.Value is null && rule.HeadRef.Count == 2 && rule.HeadRef[1] is not ScalarTerm)
        {
            throw new RegoException(RegoException.Codes.ParseError, "`contains` keyword is required for partial set rules", _file, rule.Line, rule.HeadRef[0].Column);
        }

        if (!_v1 && rule.Value is null && rule.HeadRef.Count == 2 && !_dotSegments.Contains(rule.HeadRef[1]))
        {
            rule.Kind = RuleKind.PartialSet;
            rule.Key = rule.HeadRef[1];
            rule.HeadRef = [rule.HeadRef[0]];
            return;
        }

        if (_v1 && !hasBody && rule.Value is null && rule.HeadRef.Count == 1)
        {
            var name = rule.HeadRef[0] is ScalarTerm { Value: StringValue n } ? n.Text : "?";
            throw new RegoException(RegoException.Codes.ParseError,
                $"rule {name} must have a value, a body or `contains`: expected ':=' value, 'if' body or 'contains' after the rule name",
                _file, rule.Line, rule.HeadRef[0].Column);
        }

        rule.Kind = rule.HeadRef.Skip(1).All(t => t is ScalarTerm { Value: StringValue }) ? RuleKind.Complete : RuleKind.PartialObject;
    }

    private List<Term> HeadRef()
    {
        var name = Expect(TokenKind.Ident, "rule name");
        var parts = new List<Term> { new ScalarTerm(Value.String(name.Text)) { Line = name.Line, Column = name.Column } };
        while (!Tok.NewlineBefore)
        {
            if (Tok.Kind == TokenKind.Dot)
            {
                Advance();
                var seg = Expect(TokenKind.Ident, "rule reference segment");
                var segTerm = new ScalarTerm(Value.String(seg.Text)) { Line = seg.Line, Column = seg.Column };
                _dotSegments.Add(segTerm);
                parts.Add(segTerm);
            }
            else if (Tok.Kind == TokenKind.LBracket)
            {
                Advance();
                parts.Add(TermExpr());
                Expect(TokenKind.RBracket, "']'");
            }
            else
            {
                break;
            }
        }

        return parts;
    }

    private Body BracedBody()
    {
        Expect(TokenKind.LBrace, "'{'");
        var body = BodyUntil(TokenKind.RBrace);
        Expect(TokenKind.RBrace, "'}'");
        if (body.Exprs.Count == 0)
        {
            throw Error("found empty body");
        }

        return body;
    }

    private Body BodyUntil(TokenKind end)
    {
        var save = (_newlineEnds, _noPipe);
        _newlineEnds = true;
        _noPipe = false;
        var exprs = new List<Expr>();
        while (Tok.Kind != end)
        {
            if (Tok.Kind == TokenKind.Semicolon)
            {
                Advance();
                continue;
            }

            if (exprs.Count > 0 && !Tok.NewlineBefore && _tokens[_pos - 1].Kind != TokenKind.Semicolon)
            {
                throw Expected("';' or newline between expressions");
            }

            exprs.Add(Literal());
        }

        (_newlineEnds, _noPipe) = save;
        return new Body(exprs);
    }

    private Expr Literal()
    {
        var start = Tok;
        var expr = new Expr { Line = start.Line, Column = start.Column };
        if (IsIdent("not"))
        {
            Advance();
            expr.Negated = true;
        }

        if (IsIdent("some") && !expr.Negated)
        {
            Advance();
            SomeDecl(expr);
        }
        else if (IsKeyword("every") && !expr.Negated)
        {
            Advance();
            Every(expr);
        }
        else
        {
            var left = TermExpr(allowKeyIn: true);

            if (Tok.Kind is TokenKind.Assign or TokenKind.Unify && !(_newlineEnds && Tok.NewlineBefore))
            {
                expr.Kind = Advance().Kind == TokenKind.Assign ? ExprKind.Assign : ExprKind.Unify;
                expr.Left = left;
                expr.Right = TermExpr();
            }
            else
            {
                expr.Kind = ExprKind.Term;
                expr.Left = left;
            }
        }

        while (IsIdent("with") && !Tok.NewlineBefore)
        {
            Advance();
            var target = PrimaryTerm();
            ExpectIdent("as");
            var value = TermExpr();
            expr.With.Add(new WithModifier(target, value));
        }

        var end = _tokens[_pos - 1];
        expr.Text = _source[start.Offset..end.End];
        return expr;
    }

    private void SomeDecl(Expr expr)
    {
        var first = TermRelation();
        Term? second = null;
        if (Tok.Kind == TokenKind.Comma && !IsSomeVarList(first))
        {
            Advance();
            second = TermRelation();
        }
        else if (Tok.Kind == TokenKind.Comma)
        {
            var vars = new List<Term> { first };
            while (Tok.Kind == TokenKind.Comma)
            {
                Advance();
                vars.Add(TermRelation());
            }

            if (IsKeyword("in") && vars.Count == 2)
            {
                first = vars[0];
                second = vars[1];
            }
            else
            {
                expr.Kind = ExprKind.Some;
                expr.SomeVars = vars.Select(v => v as VarTerm ?? throw Error("expected var in some declaration")).ToArray();
                return;
            }
        }

        if (IsKeyword("in"))
        {
            Advance();
            expr.Kind = ExprKind.SomeIn;
            expr.Left = second is null ? null : first;
            expr.Right = second ?? first;
            expr.Collection = TermRelation();
            return;
        }

        if (second is not null || first is not VarTerm v1)
        {
            throw Expected("'in' after some");
        }

        expr.Kind = ExprKind.Some;
        expr.SomeVars = [v1];
    }

    private static bool IsSomeVarList(Term t) => t is VarTerm;

    private void Every(Expr expr)
    {
        var first = Expect(TokenKind.Ident, "variable after every");
        VarTerm? key = null;
        var value = new VarTerm(first.Text) { Line = first.Line, Column = first.Column };
        if (Tok.Kind == TokenKind.Comma)
        {
            Advance();
            key = value;
            var second = Expect(TokenKind.Ident, "variable after ','");
            value = new VarTerm(second.Text) { Line = second.Line, Column = second.Column };
        }

        if (!IsKeyword("in"))
        {
            throw Expected("'in'");
        }

        Advance();
        expr.Kind = ExprKind.Every;
        expr.Left = key;
        expr.Right = value;
        expr.Collection = TermRelation();
        expr.EveryBody = BracedBody();
    }
}
