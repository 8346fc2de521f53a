using Parma.Rego;

namespace Parma.Webhook.Validation;

/// <summary>
/// Checks RE2 syntax exactly as the policy engine will compile it: the pattern goes through Rego's
/// `regex.match` (Parma.Rego translates RE2 to .NET and rejects what RE2 lacks) with strict builtin
/// errors, so the parse error surfaces with its message.
/// </summary>
public static class Re2Patterns
{
    private static readonly CompiledPolicy Probe = CompiledPolicy.Compile(
        "re2-probe.rego",
        "package parma_re2_probe\n\nprobe := regex.match(input.pattern, \"\")\n",
        options: RegoOptions.Default with { StrictBuiltinErrors = true });

    /// <summary>Null when the pattern is valid RE2, else why not.</summary>
    public static string? Check(string pattern)
    {
        try
        {
            var result = Probe.EvaluateRule("data.parma_re2_probe.probe", Value.Object([KeyValuePair.Create("pattern", Value.String(pattern))]));
            return result is null ? "not a valid RE2 regular expression" : null;
        }
        catch (RegoException e)
        {
            return e.Detail;
        }
    }
}
