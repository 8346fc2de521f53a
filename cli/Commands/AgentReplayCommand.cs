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
        var command = new Command("replay", "Send each request of a trace to a running agent over ttrpc. A case passes when an allowed request succeeds or a denied one is answered PERMISSION_DENIED (a denied ReadStdout/ReadStderr: answered with no data, as kata-agent does). Exit 1 on any failure.");
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
                var (code, message, response) = await SendAsync(client, c, ignored.Add, cancellationToken);
                foreach (var path in ignored)
                {
                    await output.WriteLineAsync($"note {i + 1}. {c.Kind}: {path} is not a field of the request; skipped, as kata's serde skips it");
                }

                // The agent answers a denied read as kata-agent does: success with no data, the reason in its audit log. What the
                // host can tell is whether output came back, so that is what an expected denial of a read is judged by.
                var emptyRead = code == StatusCode.Ok && response is ReadStreamResponse { Data.IsEmpty: true };
                var passed = c.Allowed ? code == StatusCode.Ok : code == StatusCode.PermissionDenied || (c.Kind == nameof(ReadStreamRequest) && emptyRead);
                failed += passed ? 0 : 1;
                if (!passed || !parse.GetValue(quiet))
                {
                    var verdict = code switch
                    {
                        StatusCode.Ok when !c.Allowed && emptyRead => "answered with no data (a denied read is redacted, its reason is in the agent's audit log)",
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

    private static async Task<(StatusCode Code, string Message, Google.Protobuf.IMessage? Response)> SendAsync(AgentClient client, TraceCase c, Action<string> ignored, CancellationToken cancellationToken)
    {
        try
        {
            return (StatusCode.Ok, string.Empty, await client.SendAsync(c.Kind, c.Request, cancellationToken, ignored));
        }
        catch (TtrpcException e)
        {
            return (e.Code, e.Message, null);
        }
        catch (PolicyInputException e)
        {
            return (StatusCode.InvalidArgument, $"not sent: {e.Message}", null);
        }
    }
}
