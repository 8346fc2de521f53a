using System.CommandLine;
using Parma.Policy.Enforcement;
using Parma.Policy.Input;
using Parma.Policy.Output;
using Parma.Rego;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy explain</c>: would the policy allow this request, and if not, why.</summary>
internal static class PolicyExplainCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy", "-p") { Description = "The policy (Rego, initdata TOML or annotation value).", Required = true };
        var kind = new Option<string>("--request-kind", "-k") { Description = "The agent request type, e.g. CreateContainerRequest.", Required = true };
        var request = new Option<string>("--request", "-r") { Description = "The request as JSON (Kata's shape).", Required = true };
        var state = new Option<string?>("--state") { Description = "The policy state (data.pstate) as JSON; default {}." };
        var command = new Command("explain", "Evaluate one agent request against a policy and say allowed or denied, with the reason. Exit 0 allowed, 1 denied.");
        foreach (var option in new Option[] { policy, kind, request, state })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, _) => PolicyCommandSupport.RunAsync(parse, async (output, _) =>
        {
            var engine = PolicyEngine.Load(PolicyFile.Read(parse.GetValue(policy)!).PolicyText);
            var statePath = parse.GetValue(state);
            var session = statePath is null ? engine.NewSession() : engine.NewSession(ReadJson(statePath));

            var requestKind = parse.GetValue(kind)!;
            var requestPath = parse.GetValue(request)!;
            var decision = session.Evaluate(requestKind, ReadJson(requestPath));
            if (decision.Allowed)
            {
                await output.WriteLineAsync($"allowed: {requestKind}");
                if (decision.Ops is ArrayValue { Count: > 0 } ops)
                {
                    await output.WriteLineAsync($"state changes: {ops.ToJson()}");
                }

                return 0;
            }

            await output.WriteLineAsync($"denied: {decision.DenialMessage}");
            // A reason is "check: FIELD: message"; when FIELD is absent or empty in the request, the message shows an
            // empty value, so say plainly that it is missing.
            if (RequestField.Named(decision.Reason) is { } field && RequestField.IsMissing(File.ReadAllText(requestPath), field))
            {
                await output.WriteLineAsync($"  {field}: missing (the request has no value there)");
            }

            return 1;
        }));
        return command;
    }

    private static Value ReadJson(string path)
    {
        try
        {
            return Value.FromJson(File.ReadAllText(path));
        }
        catch (RegoException e)
        {
            throw new PolicyInputException($"{path}: {e.Detail}");
        }
    }
}
