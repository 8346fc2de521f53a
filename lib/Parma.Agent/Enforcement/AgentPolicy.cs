using Parma.Agent.Runtime;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Enforcement;

/// <summary>
/// The policy the agent enforces and its binding: a compiled engine, its session (the state), the
/// policy's host_data, and, when the binding failed, why every request is refused.
/// </summary>
public sealed class AgentPolicy
{
    private readonly Lazy<LayerSourcePolicy> _layerSources;

    private AgentPolicy(PolicyEngine engine, byte[] hostData, string? refusal, bool awaitingSetPolicy)
    {
        Engine = engine;
        Session = engine.NewSession();
        HostData = hostData;
        Refusal = refusal;
        AwaitingSetPolicy = awaitingSetPolicy;
        _layerSources = new Lazy<LayerSourcePolicy>(() => awaitingSetPolicy ? LayerSourcePolicy.None : PolicyLayerSources.Read(engine));
    }

    public PolicyEngine Engine { get; }

    public PolicySession Session { get; }

    public byte[] HostData { get; }

    public string HostDataHex => Convert.ToHexStringLower(HostData);

    /// <summary>Non-null when the agent must refuse everything (HOST_DATA mismatch, no report).</summary>
    public string? Refusal { get; }

    /// <summary>True for the built-in start-up policy, which allows only a first SetPolicy.</summary>
    public bool AwaitingSetPolicy { get; }

    /// <summary>Where the policy's layer files are and how large each is (read from policy_data once).</summary>
    public LayerSourcePolicy LayerSources => _layerSources.Value;

    public static AgentPolicy Bound(PolicyEngine engine, byte[] hostData) => new(engine, hostData, null, false);

    public static AgentPolicy Refusing(PolicyEngine engine, byte[] hostData, string reason) => new(engine, hostData, reason, false);

    /// <summary>No policy was configured: only a SetPolicy request is allowed, and its policy is then bound to HOST_DATA.</summary>
    public static AgentPolicy AwaitingFirstSetPolicy()
    {
        var engine = PolicyEngine.Load(DefaultPolicyText, "default-policy.rego");
        return new AgentPolicy(engine, Policy.Output.HostData.OfPolicy(DefaultPolicyText), null, true);
    }

    /// <summary>The built-in policy of an agent started without one: everything is denied but a first SetPolicy.</summary>
    public const string DefaultPolicyText = """
        package agent_policy

        default SetPolicyRequest := true

        """;
}
