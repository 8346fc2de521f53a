namespace Parma.Rego;

/// <summary>Options for compiling and evaluating policies.</summary>
public sealed record RegoOptions
{
    public static readonly RegoOptions Default = new();

    /// <summary>Which syntax modules are read in; see <see cref="RegoVersion"/>. Queries are always v1.</summary>
    public RegoVersion Version { get; init; } = RegoVersion.Auto;

    /// <summary>
    /// OPA's switch: true is <see cref="RegoVersion.V0"/> (`--v0-compatible`), false is <see cref="RegoVersion.V1"/>
    /// (`opa eval` without it). Leaving both unset keeps <see cref="RegoVersion.Auto"/>.
    /// </summary>
    public bool V0Compatible
    {
        get => Version == RegoVersion.V0;
        init => Version = value ? RegoVersion.V0 : RegoVersion.V1;
    }

    /// <summary>Builtin errors raise instead of making the expression undefined.</summary>
    public bool StrictBuiltinErrors { get; init; }

    /// <summary>Maximum evaluation steps per query.</summary>
    public long MaxSteps { get; init; } = 10_000_000;

    /// <summary>Maximum nesting of rule and function evaluation.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Receives the output of `print` calls; null discards it.</summary>
    public Action<string>? PrintHook { get; init; }
}
