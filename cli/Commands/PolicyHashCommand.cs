using System.CommandLine;
using Parma.Policy.Output;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy hash FILE</c>: the host_data of a policy text, an initdata TOML, or an annotation value.</summary>
internal static class PolicyHashCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A Rego policy, an initdata TOML, or the value of either policy annotation." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also say what kind of file it was." };
        var command = new Command("hash", "Print the host_data (hex) that the SNP report's HOST_DATA must hold for this policy.");
        command.Arguments.Add(file);
        command.Options.Add(verbose);
        command.SetAction((parse, _) => PolicyCommandSupport.RunAsync(parse, async (output, _) =>
        {
            var policy = PolicyFile.Read(parse.GetValue(file)!);
            await output.WriteLineAsync(parse.GetValue(verbose) ? $"{policy.HostDataHex}  ({policy.Kind})" : policy.HostDataHex);
            return 0;
        }));
        return command;
    }
}
