using System.CommandLine;
using Parma.Rego;

namespace Parma.Cli.Commands;

/// <summary><c>parma eval [-d PATH]… [-i FILE] [--v0-compatible] [--format json|pretty] [--fail|--fail-defined] QUERY</c>, like <c>opa eval</c>.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("QUERY") { Description = "The Rego query, e.g. data.agent_policy.CreateContainerRequest." };
        var data = new Option<string[]>("--data", "-d") { Description = "Policy (.rego) or data (.json, .yaml) file or directory; repeatable.", AllowMultipleArgumentsPerToken = false };
        var input = new Option<string?>("--input", "-i") { Description = "Input document (.json or .yaml)." };
        var v0 = new Option<bool>("--v0-compatible") { Description = "Parse modules as Rego v0." };
        var format = ChoiceOption.Create("--format", "Output format.", ["json", "pretty"], "json", "-f");
        var fail = new Option<bool>("--fail") { Description = "Exit 1 when the query is undefined." };
        var failDefined = new Option<bool>("--fail-defined") { Description = "Exit 1 when the query is defined." };
        var strict = new Option<bool>("--strict-builtin-errors") { Description = "Builtin errors fail the query instead of making it undefined." };

        var command = new Command("eval", "Evaluate a Rego query against policies, data and input (like `opa eval`).");
        command.Arguments.Add(query);
        foreach (var option in new Option[] { data, input, v0, format, fail, failDefined, strict })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var outputFormat = parse.GetValue(format) ?? "json";
            if (parse.GetValue(fail) && parse.GetValue(failDefined))
            {
                error.WriteLine("error: specify --fail or --fail-defined but not both");
                return 1;
            }

            try
            {
                var loader = new EvalDataLoader();
                foreach (var path in parse.GetValue(data) ?? [])
                {
                    loader.Load(path);
                }

                Value? inputValue = parse.GetValue(input) is { } inputPath ? LoadInput(inputPath) : null;
                var options = new RegoOptions
                {
                    V0Compatible = parse.GetValue(v0),
                    StrictBuiltinErrors = parse.GetValue(strict),
                    PrintHook = line => error.WriteLine(line),
                };
                var policy = CompiledPolicy.Compile(loader.Modules, loader.Data, options);
                var results = policy.Evaluate(parse.GetValue(query)!, inputValue);
                output.WriteLine(EvalOutput.Render(results, outputFormat));
                if (parse.GetValue(fail) && results.Count == 0)
                {
                    return 1;
                }

                if (parse.GetValue(failDefined) && results.Count > 0)
                {
                    return 1;
                }

                return 0;
            }
            catch (Exception e) when (e is RegoException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // Like `opa eval`: JSON output carries {"errors":[…]}; the readable line goes to stderr either way.
                if (outputFormat == "json")
                {
                    output.WriteLine(EvalOutput.RenderError(e));
                }

                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Value LoadInput(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"input file {path} does not exist");
        }

        return Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml" ? EvalDataLoader.ParseYaml(path) : EvalDataLoader.ParseJson(path);
    }
}
