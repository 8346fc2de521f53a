namespace Parma.Rego;

/// <summary>Options for compiling and evaluating policies.</summary>
public sealed record RegoOptions
{
    public static readonly RegoOptions Default = new();

    /// <summary>Parse modules as Rego v0 (`p { … }`, keywords only via `import future.keywords`).</summary>
    public bool V0Compatible { get; init; }

    /// <summary>Builtin errors raise instead of making the expression undefined.</summary>
    public bool StrictBuiltinErrors { get; init; }

    /// <summary>Maximum evaluation steps per query.</summary>
    public long MaxSteps { get; init; } = 10_000_000;

    /// <summary>Maximum nesting of rule and function evaluation.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Receives the output of `print` calls; null discards it.</summary>
    public Action<string>? PrintHook { get; init; }
}
