namespace Parma.Rego.Tests.Conformance;

/// <summary>One OPA evaluation test case from ../shared/opa-conformance.</summary>
public sealed record ConformanceCase(
    string File,
    string Note,
    string Query,
    IReadOnlyList<string> Modules,
    Value? Data,
    Value? Input,
    string? InputTerm,
    IReadOnlyList<Value>? WantResult,
    string? WantErrorCode,
    string? WantError,
    bool StrictError,
    bool SortBindings,
    bool V0)
{
    public override string ToString() => Note;
}
