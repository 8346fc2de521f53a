using System.CommandLine;

namespace Parma.Cli.Commands;

/// <summary>Every top-level `parma` command. Each area adds its own command here.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return PolicyCommand.Create();
        yield return AttestCommand.Create();
        yield return EvalCommand.Create();
        yield return ImageCommand.Create();
        yield return VerityCommand.Create();
        yield return LayerCommand.Create();
        yield return CrdCommand.Create();
        yield return AgentCommand.Create();
        yield return KeyReleaseCommand.Create();
    }
}
