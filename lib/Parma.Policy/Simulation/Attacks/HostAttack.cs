using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// One request a hostile host sends instead of (or next to) a legitimate one: a request of a simulated
/// pod's life with one field changed. It is decided in the state the policy has just before the
/// life's request at <see cref="Position"/>, and the policy must deny it with a reason that starts with
/// <see cref="ExpectedReason"/> (check name and field, e.g. `create.hostname: OCI.Hostname`).
/// A few cases are harmless variations that must stay allowed (<see cref="ExpectedReason"/> null): they
/// keep the checks from being stricter than what a correct host sends.
/// </summary>
/// A variant of a request that changes state is sent instead of the original (<see cref="ReplacesOriginal"/>).
public sealed record HostAttack(string Name, string Kind, JsonObject Request, int Position, string? ExpectedReason, bool ReplacesOriginal = false)
{
    public bool Allowed => ExpectedReason is null;

    /// <summary>The description a trace gives the case.</summary>
    public string Description => Allowed ? $"variant: {Name} (allowed)" : $"attack: {Name} (expects {ExpectedReason})";
}
