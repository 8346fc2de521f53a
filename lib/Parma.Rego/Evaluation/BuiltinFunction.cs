namespace Parma.Rego.Evaluation;

/// <summary>A builtin's implementation: returns null for undefined; throws RegoException for errors.</summary>
internal delegate Value? BuiltinImpl(Value[] args);

/// <summary>A builtin function. Arity -1 means variadic (print).</summary>
internal sealed record BuiltinFunction(string Name, int Arity, BuiltinImpl Impl);
