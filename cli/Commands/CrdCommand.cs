using System.CommandLine;
using Parma.Api;

namespace Parma.Cli.Commands;

/// <summary>`parma crd`: print the ConfidentialPodGroup CRD generated from the C# types, or write it to a folder.</summary>
internal static class CrdCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--output-dir", "-o")
        {
            Description = $"Write {ConfidentialPodGroupCrd.FileName} into this folder instead of printing it.",
        };
        var command = new Command("crd", "Print the ConfidentialPodGroup CustomResourceDefinition (what crds/ holds).") { output };
        command.SetAction(parse =>
        {
            var yaml = ConfidentialPodGroupCrd.ToYaml();
            if (parse.GetValue(output) is { } folder)
            {
                folder.Create();
                var path = Path.Combine(folder.FullName, ConfidentialPodGroupCrd.FileName);
                File.WriteAllText(path, yaml);
                parse.InvocationConfiguration.Output.WriteLine($"wrote {path}");
            }
            else
            {
                parse.InvocationConfiguration.Output.Write(yaml);
            }

            return 0;
        });
        return command;
    }
}
