namespace Parma.Operator.Reconciliation;

internal enum ReconcileOutcome
{
    /// <summary>The group is as its spec says (or on its way: pods are starting).</summary>
    Success,

    /// <summary>The policy cannot be produced until a person changes something; reported in the status.</summary>
    Blocked,

    /// <summary>A failure that may pass (registry down, API conflict): retry with backoff.</summary>
    Retry,
}

/// <summary>What the controller does with a key after a reconcile.</summary>
internal readonly record struct ReconcileResult(ReconcileOutcome Outcome, TimeSpan? RequeueAfter = null, string? Reason = null)
{
    public static ReconcileResult Done(TimeSpan? requeueAfter = null) => new(ReconcileOutcome.Success, requeueAfter);

    public static ReconcileResult Blocked(string reason, TimeSpan? requeueAfter = null) => new(ReconcileOutcome.Blocked, requeueAfter, reason);

    public static ReconcileResult Retry(string reason) => new(ReconcileOutcome.Retry, null, reason);

    /// <summary>The metric label of the outcome.</summary>
    public string Label => Outcome switch
    {
        ReconcileOutcome.Success => "success",
        ReconcileOutcome.Blocked => "blocked",
        _ => "retry",
    };
}
