namespace Parma.Policy.Framework;

/// <summary>The embedded Rego framework every generated policy starts with.</summary>
public static class PolicyFramework
{
    public const string Version = "1.1.0";

    private static readonly Lazy<string> TextLazy = new(() =>
    {
        using var stream = typeof(PolicyFramework).Assembly.GetManifestResourceStream("Parma.Policy.framework.rego")
            ?? throw new InvalidOperationException("The embedded policy framework is missing from Parma.Policy.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    });

    public static string Text => TextLazy.Value;

    /// <summary>The policy text: the framework, then `policy_data := {…}`.</summary>
    public static string Compose(string canonicalPolicyData) =>
        Text.TrimEnd('\n') + "\n\npolicy_data := " + canonicalPolicyData + "\n";
}
