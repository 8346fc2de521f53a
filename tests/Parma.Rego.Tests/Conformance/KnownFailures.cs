namespace Parma.Rego.Tests.Conformance;

/// <summary>
/// Conformance cases the engine does not pass yet, each with the reason. A listed case that starts
/// passing fails the suite too, so this list stays exact. See README.md.
/// </summary>
public static class KnownFailures
{
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };
}
