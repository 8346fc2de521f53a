using System.CommandLine;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy diff OLD NEW</c>: what changed between two policies, container by container.</summary>
internal static class PolicyDiffCommand
{
    public static Command Create()
    {
        var before = new Argument<string>("OLD") { Description = "The old policy (Rego, initdata TOML or annotation value)." };
        var after = new Argument<string>("NEW") { Description = "The new policy." };
        var command = new Command("diff", "Show what a change of spec or image does to the policy, by container (env values are not shown). Exit 0 same, 1 different.");
        command.Arguments.Add(before);
        command.Arguments.Add(after);
        command.SetAction((parse, _) => PolicyCommandSupport.RunAsync(parse, async (output, _) =>
        {
            var oldPolicy = PolicyFile.Read(parse.GetValue(before)!);
            var newPolicy = PolicyFile.Read(parse.GetValue(after)!);
            var changes = PolicyDiff.Compare(oldPolicy.PolicyText, newPolicy.PolicyText);
            if (oldPolicy.HostDataHex != newPolicy.HostDataHex)
            {
                await output.WriteLineAsync($"host_data: {oldPolicy.HostDataHex} -> {newPolicy.HostDataHex}");
            }

            foreach (var group in changes.GroupBy(c => c.Container))
            {
                await output.WriteLineAsync($"container {group.Key}:");
                foreach (var change in group)
                {
                    await output.WriteLineAsync(change.Field.Length == 0 ? $"  {change.Change}" : $"  {change.Field}: {change.Change}");
                }
            }

            if (changes.Count == 0 && oldPolicy.HostDataHex == newPolicy.HostDataHex)
            {
                await output.WriteLineAsync("no changes");
            }

            return changes.Count == 0 && oldPolicy.HostDataHex == newPolicy.HostDataHex ? 0 : 1;
        }));
        return command;
    }
}
