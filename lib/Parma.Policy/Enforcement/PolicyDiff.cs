using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>One difference between two policies, located by container and field.</summary>
public sealed record PolicyChange(string Container, string Field, string Change);

/// <summary>
/// What a change of spec or image does to a policy: compares the `policy_data` of two policies
/// container by container (matched by name). Environment values are never shown, only names.
/// </summary>
public static class PolicyDiff
{
    public static IReadOnlyList<PolicyChange> Compare(string oldPolicy, string newPolicy)
    {
        var before = PolicyData(oldPolicy, "the old policy");
        var after = PolicyData(newPolicy, "the new policy");
        var changes = new List<PolicyChange>();

        var oldContainers = Containers(before);
        var newContainers = Containers(after);
        foreach (var name in oldContainers.Keys.Except(newContainers.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            changes.Add(new PolicyChange(name, "", "removed"));
        }

        foreach (var name in newContainers.Keys.Except(oldContainers.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            changes.Add(new PolicyChange(name, "", "added"));
        }

        foreach (var name in oldContainers.Keys.Intersect(newContainers.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            Walk(changes, name, string.Empty, oldContainers[name], newContainers[name]);
        }

        foreach (var section in new[] { "sandbox", "common", "request_defaults" })
        {
            Walk(changes, "(pod)", section, before[section] ?? Value.Null, after[section] ?? Value.Null);
        }

        return changes;
    }

    private static Value PolicyData(string policy, string what)
    {
        var data = PolicyEngine.Load(policy).Compiled.EvaluateRule($"data.{PolicyEngine.Package}.policy_data");
        return data as ObjectValue ?? throw new Input.PolicyInputException($"{what} has no policy_data object.");
    }

    private static Dictionary<string, Value> Containers(Value policyData) =>
        ((policyData["containers"] as ArrayValue)?.Elements ?? [])
            .Where(c => c["name"] is StringValue)
            .ToDictionary(c => ((StringValue)c["name"]!).Text, StringComparer.Ordinal);

    private static void Walk(List<PolicyChange> changes, string container, string path, Value before, Value after)
    {
        if (before == after)
        {
            return;
        }

        if (path.EndsWith("process.env", StringComparison.Ordinal))
        {
            EnvChanges(changes, container, path, before, after);
            return;
        }

        if (before is ObjectValue o1 && after is ObjectValue o2)
        {
            var keys = o1.Keys.Concat(o2.Keys).OfType<StringValue>().Select(k => k.Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                Walk(changes, container, path.Length == 0 ? key : $"{path}.{key}", o1[key] ?? Value.Null, o2[key] ?? Value.Null);
            }

            return;
        }

        if (path.EndsWith("layers", StringComparison.Ordinal) && before is ArrayValue l1 && after is ArrayValue l2)
        {
            changes.Add(new PolicyChange(container, path, $"{Hashes(l1)} -> {Hashes(l2)}"));
            return;
        }

        changes.Add(new PolicyChange(container, path, $"{Show(before)} -> {Show(after)}"));
    }

    private static void EnvChanges(List<PolicyChange> changes, string container, string path, Value before, Value after)
    {
        var oldEnv = EnvMap(before);
        var newEnv = EnvMap(after);
        foreach (var name in oldEnv.Keys.Union(newEnv.Keys).Order(StringComparer.Ordinal))
        {
            var change = (oldEnv.TryGetValue(name, out var o), newEnv.TryGetValue(name, out var n)) switch
            {
                (true, false) => "removed",
                (false, true) => "added",
                _ when o != n => "value changed",
                _ => null,
            };
            if (change is not null)
            {
                changes.Add(new PolicyChange(container, $"{path}[{name}]", change));
            }
        }
    }

    private static Dictionary<string, string> EnvMap(Value env) =>
        ((env as ArrayValue)?.Elements ?? []).OfType<StringValue>()
            .Select(e => e.Text.Split('=', 2))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1] : string.Empty, StringComparer.Ordinal);

    private static string Hashes(ArrayValue layers) =>
        "[" + string.Join(", ", layers.Elements.Select(l => l["root_hash"] is StringValue s ? s.Text[..Math.Min(12, s.Text.Length)] : "?")) + "]";

    private static string Show(Value value) => value.IsNull ? "(none)" : value.ToJson();
}
