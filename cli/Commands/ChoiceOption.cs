using System.CommandLine;
using System.CommandLine.Parsing;

namespace Parma.Cli.Commands;

/// <summary>
/// Options whose value is one of a few words. The words are lower case in help, completions and error
/// messages; input is accepted in any case (<c>--layer-mounts Auto</c> is <c>auto</c>) and arrives lower case.
/// </summary>
internal static class ChoiceOption
{
    /// <summary>A choice among <paramref name="choices"/> (the first is the default unless <paramref name="defaultValue"/> says otherwise; null: no default).</summary>
    public static Option<string> Create(string name, string description, string[] choices, string? defaultValue, params string[] aliases)
    {
        var lower = choices.Select(c => c.ToLowerInvariant()).ToArray();
        var option = new Option<string>(name, aliases)
        {
            Description = description,
            HelpName = string.Join('|', lower),
            CustomParser = result => Parse(result, name, lower),
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue.ToLowerInvariant();
        }

        option.CompletionSources.Add(lower);
        return option;
    }

    /// <summary>A choice among an enum's names, lower case; read it back with <see cref="ToEnum{T}"/>.</summary>
    public static Option<string> ForEnum<T>(string name, string description, T defaultValue, params string[] aliases)
        where T : struct, Enum =>
        Create(name, description, Enum.GetNames<T>(), defaultValue.ToString(), aliases);

    public static T ToEnum<T>(string value)
        where T : struct, Enum =>
        Enum.Parse<T>(value, ignoreCase: true);

    private static string Parse(ArgumentResult result, string name, string[] choices)
    {
        var token = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        var value = token.ToLowerInvariant();
        if (!choices.Contains(value, StringComparer.Ordinal))
        {
            result.AddError($"{name} '{token}' is not one of: {string.Join(", ", choices)}.");
        }

        return value;
    }
}
