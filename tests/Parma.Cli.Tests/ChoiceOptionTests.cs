using System.CommandLine;
using Parma.Cli.Commands;

namespace Parma.Cli.Tests;

/// <summary>Every choice option of every command: lower case in help, any case accepted, nothing else accepted.</summary>
public sealed class ChoiceOptionTests
{
    private static RootCommand Root()
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static IEnumerable<(string Path, Option Option)> Options(Command command, string path)
    {
        foreach (var option in command.Options)
        {
            yield return (path, option);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var found in Options(sub, $"{path} {sub.Name}".Trim()))
            {
                yield return found;
            }
        }
    }

    public static TheoryData<string, string> ChoiceOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (path, option) in Options(Root(), string.Empty).Where(o => o.Option.HelpName?.Contains('|', StringComparison.Ordinal) == true))
        {
            data.Add(path, option.Name);
        }

        return data;
    }

    [Fact]
    public void No_option_takes_an_enum_type_directly()
    {
        // An Option<TEnum> prints its values as the enum's names (Auto|Off|Required); ChoiceOption.ForEnum prints them lower case.
        Options(Root(), string.Empty).Where(o => Nullable.GetUnderlyingType(o.Option.ValueType) is { IsEnum: true } || o.Option.ValueType.IsEnum)
            .Select(o => $"{o.Path} {o.Option.Name}").Should().BeEmpty();
        ChoiceOptions().Should().HaveCountGreaterThan(8, "the choice options are found");
    }

    [Theory]
    [MemberData(nameof(ChoiceOptions))]
    public void Choices_are_lower_case_in_help_and_accepted_in_any_case(string commandPath, string optionName)
    {
        var root = Root();
        var command = commandPath.Split(' ').Aggregate((Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name));
        var option = (Option<string>)command.Options.Single(o => o.Name == optionName);
        var choices = option.HelpName!.Split('|');
        choices.Should().OnlyContain(c => c == c.ToLowerInvariant(), $"{commandPath} {optionName} shows its choices lower case");

        foreach (var choice in choices)
        {
            var shouted = root.Parse([.. commandPath.Split(' '), optionName, choice.ToUpperInvariant()]);
            shouted.GetValue(option).Should().Be(choice);
            shouted.Errors.Where(e => e.Message.Contains(optionName, StringComparison.Ordinal)).Should().BeEmpty();
        }

        var wrong = root.Parse([.. commandPath.Split(' '), optionName, "no-such-choice"]);
        wrong.Errors.Select(e => e.Message).Should().Contain($"{optionName} 'no-such-choice' is not one of: {string.Join(", ", choices)}.");
    }
}
