using System.CommandLine;
using Parma.Agent.Protocol;
using Parma.Policy.Enforcement;
using Parma.Policy.Output;

namespace Parma.Cli.Commands;

/// <summary>
/// <c>parma policy replay --policy P TRACE.json</c>: replay a Kata-style trace in order, with state. Each
/// request is first read and serialised as the agent (and kata-agent) does, so that missing fields have
/// their defaults and the decisions are those an agent would make over the socket.
/// </summary>
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
            var notes = new List<string>();
            var cases = Trace.Parse(await File.ReadAllTextAsync(tracePath), tracePath).Select((c, i) => AsAgentInput(c, i + 1, notes)).ToList();
            foreach (var note in notes)
            {
                await output.WriteLineAsync(note);
            }

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

    /// <summary>The case with its request as the agent's policy input; a kind that is not an agent request stays as written.</summary>
    private static TraceCase AsAgentInput(TraceCase c, int number, List<string> notes)
    {
        if (AgentMethods.ForKind(c.Kind) is not { } method)
        {
            return c;
        }

        try
        {
            var request = PolicyInputReader.Read(c.Request, method.Request, path => notes.Add($"note {number}. {c.Kind}: {path} is not a field of the request; skipped, as kata's serde skips it"));
            return c with { Request = PolicyInput.From(request) };
        }
        catch (Parma.Agent.Protocol.PolicyInputException e)
        {
            throw new Parma.Policy.Input.PolicyInputException($"case {number} ({c.Description}): {e.Message}");
        }
    }
}
