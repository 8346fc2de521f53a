using System.CommandLine;

namespace Parma.Cli.Commands;

/// <summary><c>parma agent</c>: run the guest agent on this machine and drive one with a trace.</summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var agent = new Command("agent", "Run the Parma guest agent locally (Kata agent API over ttrpc) and replay host traces against a running agent.");
        agent.Subcommands.Add(AgentServeCommand.Create());
        agent.Subcommands.Add(AgentReplayCommand.Create());
        return agent;
    }
}
