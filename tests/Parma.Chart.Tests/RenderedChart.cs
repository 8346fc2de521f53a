using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Apply;

namespace Parma.Chart.Tests;

/// <summary>The documents `helm template` printed, as JSON objects, with lookups by kind and name.</summary>
public sealed class RenderedChart
{
    /// <summary>Kinds whose API the test API server does not serve (no OpenAPI document here): checked structurally.</summary>
    public static readonly IReadOnlySet<string> UnservedKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "cert-manager.io/v1/Certificate",
        "cert-manager.io/v1/Issuer",
        "monitoring.coreos.com/v1/ServiceMonitor",
    };

    public RenderedChart(string yaml, string releaseNamespace)
    {
        Yaml = yaml;
        ReleaseNamespace = releaseNamespace;
        Objects = ApplyConfiguration.ParseAll(yaml).Where(o => o["kind"] is not null).ToList();
    }

    public string Yaml { get; }

    public string ReleaseNamespace { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

    public JsonObject Single(string kind) => OfKind(kind).Should().ContainSingle($"one {kind} is rendered").Subject;

    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => Name(o) == name) ?? throw new Xunit.Sdk.XunitException($"no {kind} {name} rendered");

    /// <summary>The Deployment of a component (operator, webhook, key-release).</summary>
    public JsonObject Deployment(string component) => OfKind("Deployment")
        .Should().ContainSingle(d => Label(d, "app.kubernetes.io/component") == component).Subject;

    public IEnumerable<JsonObject> Served => Objects.Where(o => !UnservedKinds.Contains($"{o["apiVersion"]}/{Kind(o)}"));

    public IEnumerable<JsonObject> Unserved => Objects.Where(o => UnservedKinds.Contains($"{o["apiVersion"]}/{Kind(o)}"));

    /// <summary>The served objects as one YAML stream (JSON documents are YAML), for CreateManifestsAsync.</summary>
    public string ServedYaml => string.Join("\n---\n", Served.Select(o => o.ToJsonString()));

    public static string Kind(JsonObject o) => o["kind"]!.GetValue<string>();

    public static string Name(JsonObject o) => o["metadata"]!["name"]!.GetValue<string>();

    public static string? Label(JsonObject o, string key) => o["metadata"]?["labels"]?[key]?.GetValue<string>();

    public static JsonObject Container(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Should().ContainSingle().Subject!.AsObject();

    public static IReadOnlyList<string> Args(JsonObject deployment) =>
        Container(deployment)["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();

    /// <summary>The value after <paramref name="flag"/> in a container's args.</summary>
    public static string? Flag(JsonObject deployment, string flag)
    {
        var args = Args(deployment);
        var i = args.ToList().IndexOf(flag);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }
}
