using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>
/// An execution policy compiled once. Policies are queried as `data.agent_policy.&lt;RequestType&gt;`
/// with the request as input and the policy state mounted at `data.pstate`, as kata-agent does, and the
/// guest's own record of its storages at `data.guest` (<see cref="GuestStorageLedger"/>; kata-agent has none).
/// Thread-safe; each <see cref="PolicySession"/> keeps its own state.
/// </summary>
public sealed class PolicyEngine
{
    public const string Package = "agent_policy";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _rulePaths = new(StringComparer.Ordinal);

    private PolicyEngine(CompiledPolicy compiled, string text)
    {
        Compiled = compiled;
        Text = text;
    }

    public CompiledPolicy Compiled { get; }

    public string Text { get; }

    /// <summary>Compiles a policy as Rego v1, falling back to v0 for policies written for older engines (genpolicy's rules are v0).</summary>
    public static PolicyEngine Load(string policyText, string fileName = "policy.rego")
    {
        try
        {
            return new PolicyEngine(CompiledPolicy.Compile(fileName, policyText), policyText);
        }
        catch (RegoException v1Error) when (v1Error.Code == RegoException.Codes.ParseError)
        {
            try
            {
                return new PolicyEngine(CompiledPolicy.Compile(fileName, policyText, options: RegoOptions.Default with { V0Compatible = true }), policyText);
            }
            catch (RegoException)
            {
                throw v1Error;
            }
        }
    }

    public PolicySession NewSession() => new(this, Value.EmptyObject);

    /// <summary>A session that starts from a saved policy state (for explain and debugging).</summary>
    public PolicySession NewSession(Value state) => new(this, state);

    internal Value? Rule(string name, Value input, Value state, Value guest) =>
        Compiled.EvaluateRule(RulePath(name), input, [new DataMount("data.pstate", state), new DataMount(GuestStorageLedger.DataPath, guest)]);

    /// <summary>"data.agent_policy.&lt;name&gt;", built once per rule name (request kinds are a fixed set; the cache is bounded anyway).</summary>
    private string RulePath(string name)
    {
        if (_rulePaths.TryGetValue(name, out var path))
        {
            return path;
        }

        path = $"data.{Package}.{name}";
        if (_rulePaths.Count < 256)
        {
            _rulePaths.TryAdd(name, path);
        }

        return path;
    }
}
