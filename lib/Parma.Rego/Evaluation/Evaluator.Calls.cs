using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// User function calls without per-call continuations: arguments that are plain variables or constants
/// are bound straight into the callee's frame, and every body solution goes to one cached continuation
/// that reads the call in progress from <see cref="_call"/> (saved and restored around nested calls).
/// </summary>
internal sealed partial class Evaluator
{
    private readonly List<CallState> _callStates = [];
    private readonly List<Value?[]> _callFrames = [];
    private CallState _call = new();
    private int _callDepth;
    private Func<bool>? _emitCallValue;

    private enum ArgBinding
    {
        Bound,
        Mismatch,
        General,
    }

    private sealed class CallState
    {
        public CallTerm? Site;
        public RuleAst? Rule;
        public Term ValueTerm = TrueTerm;
        public Value? Result;
        public bool FirstOnly;
        public bool Any;
    }

    /// <summary>Binds argument values to the rule's parameter patterns when they are variables or constants; General when unification is needed.</summary>
    private static ArgBinding BindArgs(Term[] patterns, Value[] args, Value?[] frame)
    {
        for (var i = 0; i < patterns.Length; i++)
        {
            switch (patterns[i])
            {
                case VarTerm { Slot: >= 0 } v:
                    if (frame[v.Slot] is { } already)
                    {
                        if (!already.Equals(args[i]))
                        {
                            return ArgBinding.Mismatch;
                        }
                    }
                    else
                    {
                        ValueArrays.Set(frame, v.Slot, args[i]);
                    }

                    break;
                case ScalarTerm s:
                    if (!s.Value.Equals(args[i]))
                    {
                        return ArgBinding.Mismatch;
                    }

                    break;
                default:
                    return ArgBinding.General;
            }
        }

        return ArgBinding.Bound;
    }

    /// <summary>The rule and its else chain with arguments already in the frame: the first branch whose body succeeds gives the value(s).</summary>
    private void EvalBoundChain(RuleAst rule, Value?[] frame)
    {
        var call = _call;
        var emit = _emitCallValue ??= EmitCallValue;
        for (var r = rule; r is not null; r = r.Else)
        {
            _frame = frame;
            call.ValueTerm = r.Value ?? TrueTerm;
            call.Any = false;
            EvalBody(r.Body.Exprs, 0, emit);
            if (call.Any)
            {
                return;
            }
        }
    }

    private bool EmitCallValue()
    {
        var call = _call;
        call.Any = true;
        if (TryEvalSingle(call.ValueTerm, out var single))
        {
            if (single is not null)
            {
                MergeCallResult(single);
            }

            return !call.FirstOnly;
        }

        return EmitEachCallValue(call);
    }

    private bool EmitEachCallValue(CallState call) =>
        EvalTerm(call.ValueTerm, v =>
        {
            MergeCallResult(v);
            return !call.FirstOnly;
        });

    /// <summary>The state of a new call at the next nesting level; states are reused across calls of one evaluation.</summary>
    private CallState EnterCall(CallTerm site, bool firstOnly)
    {
        if (_callDepth == _callStates.Count)
        {
            _callStates.Add(new CallState());
        }

        var state = _callStates[_callDepth++];
        state.Site = site;
        state.Rule = null;
        state.ValueTerm = TrueTerm;
        state.Result = null;
        state.FirstOnly = firstOnly;
        state.Any = false;
        return state;
    }

    private void MergeCallResult(Value v)
    {
        var call = _call;
        if (call.Result is not null && !call.Result.Equals(v))
        {
            throw new RegoException(RegoException.Codes.ConflictError, "functions must not produce multiple outputs for same inputs", call.Rule!.File, call.Site!.Line, call.Site.Column);
        }

        call.Result = v;
    }
}
