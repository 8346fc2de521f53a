using System.Text.Json.Nodes;
using Parma.Agent.Runtime;
using Parma.Policy.Enforcement;
using Parma.Rego;

namespace Parma.Agent.Enforcement;

/// <summary>
/// Reads the layer facts the agent enforces outside the Rego rules from the policy's own data
/// (<c>data.agent_policy.policy_data</c>): the runtime's layer directory and each layer's size. Read once
/// per policy. A policy without these facts gets none: no layer source is the policy's, and sizes fall
/// back to the agent's --max-layer-bytes.
/// </summary>
public static class PolicyLayerSources
{
    public static LayerSourcePolicy Read(PolicyEngine engine)
    {
        Value? data;
        try
        {
            data = engine.Compiled.EvaluateRule($"data.{PolicyEngine.Package}.policy_data");
        }
        catch (RegoException)
        {
            return LayerSourcePolicy.None;
        }

        if (data is null || JsonNode.Parse(data.ToJson()) is not JsonObject policyData)
        {
            return LayerSourcePolicy.None;
        }

        var prefix = policyData["common"]?["layer_src_prefix"] is JsonValue p && p.TryGetValue<string>(out var text) ? text : null;
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var container in (policyData["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var layer in (container["layers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (layer["root_hash"] is JsonValue hash && hash.TryGetValue<string>(out var rootHash)
                    && layer["size"] is JsonValue size && size.TryGetValue<long>(out var bytes) && bytes > 0)
                {
                    // One root hash is one layer image: should two entries disagree, the smaller bound holds.
                    var key = rootHash.ToLowerInvariant();
                    sizes[key] = sizes.TryGetValue(key, out var known) ? Math.Min(known, bytes) : bytes;
                }
            }
        }

        return new LayerSourcePolicy(prefix, sizes);
    }
}
