using System.CommandLine;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy replay --policy P TRACE.json</c>: replay a Kata-style trace in order, with state.</summary>
internal static class PolicyReplayCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy", "-p") { Description = "The policy (Rego, initdata TOML or annotation value).", Required = true };
        var trace = new Argument<string>("TRACE") { Description = "A JSON array of {description, allowed, kind, request}." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only mismatches and the totals." };
        var command = new Command("replay", "Replay a trace against one policy session (state carries over) and compare each outcome with its expected `allowed`. Exit 1 on any mismatch.");
        command.Options.Add(policy);
        command.Options.Add(quiet);
        command.Arguments.Add(trace);
        command.SetAction((parse, _) => PolicyCommandSupport.RunAsync(parse, async (output, _) =>
        {
            var engine = PolicyEngine.Load(PolicyFile.Read(parse.GetValue(policy)!).PolicyText);
            var tracePath = parse.GetValue(trace)!;
            var cases = Trace.Parse(await File.ReadAllTextAsync(tracePath), tracePath);
            var outcomes = TraceReplayer.Replay(engine, cases);
            var failed = 0;
            for (var i = 0; i < outcomes.Count; i++)
            {
                var o = outcomes[i];
                if (!o.Matches)
                {
                    failed++;
                }

                if (!o.Matches || !parse.GetValue(quiet))
                {
                    var verdict = o.Decision.Allowed ? "allowed" : $"denied ({o.Decision.Reason})";
                    await output.WriteLineAsync($"{(o.Matches ? "ok  " : "FAIL")} {i + 1}. {o.Case.Kind}: {o.Case.Description}: {verdict}, expected {(o.Case.Allowed ? "allowed" : "denied")}");
                }
            }

            await output.WriteLineAsync($"{outcomes.Count - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }
}
