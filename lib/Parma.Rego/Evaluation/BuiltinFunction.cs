namespace Parma.Rego.Evaluation;

/// <summary>A builtin's implementation: returns null for undefined; throws RegoException for errors.</summary>
internal delegate Value? BuiltinImpl(Value[] args);

/// <summary>
/// A builtin function. Arity -1 means variadic (print). A relation (walk) has many values for one call:
/// <see cref="Relation"/> gives them all and <see cref="Impl"/> is not used.
/// </summary>
internal sealed record BuiltinFunction(string Name, int Arity, BuiltinImpl Impl)
{
    public Func<Value[], IEnumerable<Value>>? Relation { get; init; }

    /// <summary>Deprecated in OPA: callable from Rego v0 modules only.</summary>
    public bool Deprecated { get; init; }
}
