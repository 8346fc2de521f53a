using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.Policy.Tests;

/// <summary>
/// Property: any single-field change of an allowed CreateContainerRequest is denied, unless the field
/// is one the policy deliberately leaves free (<see cref="FreeFields"/>, each with its reason).
/// Every leaf of the request is changed, and every array gains and loses an element.
/// </summary>
public class RequestFieldMutationTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    /// <summary>Fields the host chooses at run time and that cannot widen what the container can do, each with the reason.</summary>
    /// Storages are named by what they are: storages[tar], storages[overlay] or storages[volume].
    public static readonly IReadOnlyDictionary<string, string> FreeFields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["exec_id"] = "names the container's first process for later signals and waits; the policy keys everything on container_id",
        ["OCI.Process.ConsoleSize"] = "the size of the process's terminal (whether it has one is checked)",
        ["OCI.Linux.Resources.CPU"] = "CPU limits only restrict the container, and the host decides how much CPU the whole VM gets anyway",
        ["storages[tar].source"] = "where the host keeps the layer's block device: what is mounted is pinned by its dm-verity root hash, which the agent recomputes from the device",
        ["storages[overlay].source"] = "the overlay is assembled from the layers its options list; its source names nothing the agent reads",
    };

    public static IEnumerable<object[]> Mutations()
    {
        using var fixture = new ExamplePolicies();
        fixture.InitializeAsync().GetAwaiter().GetResult();
        var host = new KataHostSimulator(fixture.Settings, fixture.GroupPlan);
        var request = host.CreateContainer(fixture.GroupPlan.Containers.Single(c => c.Name == "hello"));
        var runtimeEnv = RuntimeEnvironmentIndices(request, fixture.GroupPlan.Containers.Single(c => c.Name == "hello").Env.Exact);
        return RequestMutator.All(request)
            .Where(m => !IsFree(request, m.Path) && !runtimeEnv.Contains(m.Path) && m.Description != "OCI.Process.Env: remove last")
            .Select(m => new object[] { m.Description });
    }

    /// <summary>Env entries whose values are only known at run time (hostname, service links): the policy matches them by pattern.</summary>
    private static HashSet<string> RuntimeEnvironmentIndices(JsonObject request, IReadOnlyList<string> exact)
    {
        var env = request["OCI"]!["Process"]!["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        env[^1].Should().StartWith("KUBERNETES_", "removing the last entry removes a service link, which the kubelet may or may not inject");
        return env.Select((e, i) => (e, i)).Where(p => !exact.Contains(p.e)).Select(p => $"OCI.Process.Env[{p.i}]").ToHashSet();
    }

    private static bool IsFree(JsonObject request, string path)
    {
        var normalized = System.Text.RegularExpressions.Regex.Replace(path, @"^storages\[(\d+)\]", m => $"storages[{StorageKind(request, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))}]");
        normalized = System.Text.RegularExpressions.Regex.Replace(normalized, @"\[\d+\]", "[*]");
        return FreeFields.Keys.Any(f => normalized == f || normalized.StartsWith(f + ".", StringComparison.Ordinal) || normalized.StartsWith(f + "[", StringComparison.Ordinal));
    }

    private static string StorageKind(JsonObject request, int index) => request["storages"]![index]!["fstype"]!.GetValue<string>() switch
    {
        "tar" => "tar",
        "fuse3.kata-overlay" => "overlay",
        _ => "volume",
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void A_changed_field_is_denied(string mutation)
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var original = host.CreateContainer(examples.GroupPlan.Containers.Single(c => c.Name == "hello"));
        var mutated = RequestMutator.All(original).Single(m => m.Description == mutation).Apply();
        var session = examples.GroupEngine.NewSession();
        foreach (var step in host.StartPod().Take(3))
        {
            session.Decide(step.Kind, Value.FromJson(step.Input.ToJsonString())).Allowed.Should().BeTrue();
        }

        session.Evaluate("CreateContainerRequest", Value.FromJson(original.ToJsonString())).Allowed.Should().BeTrue("the unmutated request is allowed");
        var decision = session.Evaluate("CreateContainerRequest", Value.FromJson(mutated.ToJsonString()));

        decision.Allowed.Should().BeFalse($"{mutation} must be denied");
    }

    [Fact]
    public void There_are_many_mutations()
    {
        Mutations().Count().Should().BeGreaterThan(150);
    }
}

/// <summary>One single-field change of a request.</summary>
public sealed record RequestMutation(string Path, string Description, Func<JsonObject> Apply);

/// <summary>Enumerates single-field changes of a JSON request.</summary>
public static class RequestMutator
{
    public static IEnumerable<RequestMutation> All(JsonObject request)
    {
        var results = new List<RequestMutation>();
        Walk(request, request, string.Empty, [], results);
        return results;
    }

    private static void Walk(JsonObject root, JsonNode? node, string path, List<object> steps, List<RequestMutation> results)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    Walk(root, child, path.Length == 0 ? key : $"{path}.{key}", [.. steps, key], results);
                }

                if (node is JsonObject && path.Length > 0 && o.Count == 0)
                {
                    results.Add(Mutation(root, path, $"{path}: add entry", steps, n => n!.AsObject()["parma.test/added"] = "x"));
                }

                break;
            case JsonArray a:
                results.Add(Mutation(root, path, $"{path}: append", steps, n => n!.AsArray().Add(Extra(a))));
                if (a.Count > 0)
                {
                    results.Add(Mutation(root, path, $"{path}: remove last", steps, n => n!.AsArray().RemoveAt(n.AsArray().Count - 1)));
                }

                for (var i = 0; i < a.Count; i++)
                {
                    Walk(root, a[i], $"{path}[{i}]", [.. steps, i], results);
                }

                break;
            default:
                results.Add(Mutation(root, path, $"{path}: change value", steps, null, Changed(node)));
                break;
        }
    }

    private static RequestMutation Mutation(JsonObject root, string path, string description, List<object> steps, Action<JsonNode?>? change, JsonNode? replacement = null) =>
        new(path, description, () =>
        {
            var copy = root.DeepClone().AsObject();
            JsonNode? parent = copy;
            foreach (var step in steps.SkipLast(1))
            {
                parent = step is string key ? parent![key] : parent![(int)step];
            }

            var last = steps[^1];
            if (change is not null)
            {
                change(last is string k ? parent![k] : parent![(int)last]);
            }
            else if (last is string k2)
            {
                parent![k2] = replacement?.DeepClone();
            }
            else
            {
                parent!.AsArray()[(int)last] = replacement?.DeepClone();
            }

            return copy;
        });

    private static JsonNode Extra(JsonArray array) => array.Count > 0 && array[0] is JsonObject o
        ? o.DeepClone()
        : array.Count > 0 && array[0] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? JsonValue.Create(4242) : JsonValue.Create("parma-test-extra");

    private static JsonNode? Changed(JsonNode? value) => value switch
    {
        null => JsonValue.Create("parma-test"),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(v.GetValue<string>() + "x"),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) + 1),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => JsonValue.Create(false),
        JsonValue v when v.GetValueKind() == JsonValueKind.False => JsonValue.Create(true),
        _ => JsonValue.Create("parma-test"),
    };
}
