using System.CommandLine;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy</c>: generate, hash, explain, replay and diff execution policies.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var policy = new Command("policy", "Generate, hash, explain, simulate, replay and compare execution policies. Exit codes: 0 ok, 1 denied/mismatch/different, 2 error.");
        policy.Subcommands.Add(PolicyGenerateCommand.Create());
        policy.Subcommands.Add(PolicyHashCommand.Create());
        policy.Subcommands.Add(PolicyExplainCommand.Create());
        policy.Subcommands.Add(PolicyReplayCommand.Create());
        policy.Subcommands.Add(PolicySimulateCommand.Create());
        policy.Subcommands.Add(PolicyDiffCommand.Create());
        return policy;
    }
}
