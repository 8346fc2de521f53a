using System.CommandLine;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;

namespace Parma.Cli.Commands;

/// <summary><c>parma agent replay --socket PATH TRACE.json</c>: send a Kata-style trace to a running agent, in order, and check each answer.</summary>
internal static class AgentReplayCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--socket", "-s") { Description = "The agent's address: a Unix socket path, unix:PATH or vsock:CID:PORT.", Required = true };
        var trace = new Argument<string>("TRACE") { Description = "A JSON array of {description, allowed, kind, request}." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only mismatches and the totals." };
        var command = new Command("replay", "Send each request of a trace to a running agent over ttrpc. A case passes when an allowed request succeeds or a denied one is answered PERMISSION_DENIED. Exit 1 on any failure.");
        command.Options.Add(socket);
        command.Options.Add(quiet);
        command.Arguments.Add(trace);
        command.SetAction((parse, cancellationToken) => PolicyCommandSupport.RunAsync(parse, async (output, _) =>
        {
            var tracePath = parse.GetValue(trace)!;
            var cases = Trace.Parse(await File.ReadAllTextAsync(tracePath, cancellationToken), tracePath);
            await using var client = await Connect(parse.GetValue(socket)!, cancellationToken);
            var failed = 0;
            for (var i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                var ignored = new List<string>();
                var (code, message) = await SendAsync(client, c, ignored.Add, cancellationToken);
                foreach (var path in ignored)
                {
                    await output.WriteLineAsync($"note {i + 1}. {c.Kind}: {path} is not a field of the request; skipped, as kata's serde skips it");
                }

                var passed = c.Allowed ? code == StatusCode.Ok : code == StatusCode.PermissionDenied;
                failed += passed ? 0 : 1;
                if (!passed || !parse.GetValue(quiet))
                {
                    var verdict = code switch
                    {
                        StatusCode.Ok => "allowed",
                        StatusCode.PermissionDenied => $"denied ({message})",
                        _ => $"{code} ({message})",
                    };
                    await output.WriteLineAsync($"{(passed ? "ok  " : "FAIL")} {i + 1}. {c.Kind}: {c.Description}: {verdict}, expected {(c.Allowed ? "allowed" : "denied")}");
                }
            }

            await output.WriteLineAsync($"{cases.Count - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    private static async Task<AgentClient> Connect(string address, CancellationToken cancellationToken)
    {
        try
        {
            return await AgentClient.ConnectAsync(address, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"cannot connect to the agent at {address}: {e.Message}", e);
        }
    }

    private static async Task<(StatusCode Code, string Message)> SendAsync(AgentClient client, TraceCase c, Action<string> ignored, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync(c.Kind, c.Request, cancellationToken, ignored);
            return (StatusCode.Ok, string.Empty);
        }
        catch (TtrpcException e)
        {
            return (e.Code, e.Message);
        }
        catch (PolicyInputException e)
        {
            return (StatusCode.InvalidArgument, $"not sent: {e.Message}");
        }
    }
}
