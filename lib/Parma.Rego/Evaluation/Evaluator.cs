using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// One evaluation: a depth-first, continuation-passing interpreter over the compiled rules. Not thread-safe;
/// a <see cref="CompiledPolicy"/> creates one per call. Continuations return false to stop enumeration.
/// </summary>
internal sealed partial class Evaluator
{
    private static readonly Value UndefinedMarker = Value.String("\u0000undefined");
    private static readonly Value InProgressMarker = Value.String("\u0000in progress");

    private readonly PolicyProgram _program;
    private readonly RegoOptions _options;
    private Value? _input;
    private List<(string[] Path, Value Value)> _overrides;
    private Value?[] _cache;
    private List<(string[] Path, Value Value)>? _constantsCheckedFor;
    private bool _constantsShared;

    /// <summary>Rule nodes with rules below them: merged subtree documents and raw partial-object key trees (allocated on first use).</summary>
    private MergeState? _merge;
    private Value?[] _frame = [];
    private long _steps;
    private int _depth;

    public Evaluator(PolicyProgram program, RegoOptions options, Value? input, List<(string[] Path, Value Value)> mounts)
    {
        _program = program;
        _options = options;
        _input = input;
        _overrides = mounts;
        _cache = new Value?[program.NodeCount];
    }

    private void Step()
    {
        if (++_steps > _options.MaxSteps)
        {
            throw new RegoException(RegoException.Codes.LimitError, $"evaluation exceeded the step limit ({_options.MaxSteps})");
        }

        // The stack check reads thread-local stack bounds; every 8th step is enough, since a few steps add
        // only a few kilobytes of stack against the runtime's reserve.
        if ((_steps & 7) == 0)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        }
    }

    private void Enter()
    {
        if (++_depth > _options.MaxDepth)
        {
            throw new RegoException(RegoException.Codes.LimitError, $"evaluation exceeded the depth limit ({_options.MaxDepth})");
        }
    }

    /// <summary>Runs a resolved query body; calls onResult with the frame for each solution.</summary>
    public void RunQuery(Body body, int slotCount, Func<Value?[], bool> onResult)
    {
        _frame = new Value?[slotCount];
        var frame = _frame;
        EvalBody(body.Exprs, 0, () => onResult(frame));
    }

    /// <summary>Value of the document at data.path (constant segments), or null when undefined.</summary>
    public Value? EvalDataPath(Term[] terms)
    {
        Value? result = null;
        WalkData(terms, 0, _program.Root, _program.Data, [], v =>
        {
            result = v;
            return false;
        });
        return result;
    }

    private RegoException Unsafe(Term t, string name) =>
        new(RegoException.Codes.UnsafeVarError, $"var {name} is unsafe", null, t.Line, t.Column);
}

internal sealed partial class Evaluator
{
    /// <summary>The value OPA reports for a query expression: the term's value for plain terms, true otherwise.</summary>
    public Value ExpressionValue(Expr e, Value?[] frame)
    {
        if (e.Kind != ExprKind.Term || e.Negated || e.With.Count > 0 || (e.Left is CallTerm call && IsOutputCall(call)))
        {
            return Value.True;
        }

        if (e.CaptureSlot >= 0 && frame[e.CaptureSlot] is { } captured)
        {
            return captured;
        }

        var saved = _frame;
        _frame = frame;
        try
        {
            return EvalSingle(e.Left!) ?? Value.True;
        }
        finally
        {
            _frame = saved;
        }
    }
}
