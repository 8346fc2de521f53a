using Parma.Api;

namespace Parma.Operator.Reconciliation;

internal sealed record ReconcilerOptions
{
    public ParmaSettings Settings { get; init; } = new();

    /// <summary>How often a group's tags are looked up again even when nothing changed (a moved tag means a new policy).</summary>
    public TimeSpan ImageRecheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    public string FieldManager { get; init; } = "parma-operator";
}
