using Parma.Testing;
using YamlDotNet.RepresentationModel;

namespace Parma.Rego.Tests.Conformance;

/// <summary>Loads every case under ../shared/opa-conformance (v0 folders parse modules as Rego v0).</summary>
public static class ConformanceCases
{
    private static readonly Lazy<IReadOnlyList<ConformanceCase>> AllLazy = new(Load);

    public static IReadOnlyList<ConformanceCase> All => AllLazy.Value;

    public static string Root => RepoPaths.InShared("opa-conformance");

    private static List<ConformanceCase> Load()
    {
        var cases = new List<ConformanceCase>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
            var v0 = relative.StartsWith("v0/", StringComparison.Ordinal);
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }

            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            foreach (var node in ((YamlSequenceNode)root.Children[new YamlScalarNode("cases")]).Children.Cast<YamlMappingNode>())
            {
                cases.Add(Parse(relative, v0, node));
            }
        }

        return cases;
    }

    private static ConformanceCase Parse(string file, bool v0, YamlMappingNode node)
    {
        YamlNode? Get(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
        string? Text(string key) => (Get(key) as YamlScalarNode)?.Value;
        var modules = (Get("modules") as YamlSequenceNode)?.Children.Select(m => ((YamlScalarNode)m).Value ?? string.Empty).ToList() ?? [];
        var data = Get("data") is { } d ? YamlValues.ToValue(d) : null;
        var input = Get("input") is { } i ? YamlValues.ToValue(i) : null;
        var want = Get("want_result") is YamlSequenceNode w ? w.Children.Select(YamlValues.ToValue).ToList() : null;
        return new ConformanceCase(
            file,
            $"{(v0 ? "v0/" : string.Empty)}{Text("note")}",
            Text("query") ?? string.Empty,
            modules,
            data,
            input,
            Text("input_term"),
            want,
            Text("want_error_code"),
            Text("want_error"),
            Text("strict_error") == "true",
            Text("sort_bindings") == "true",
            v0);
    }
}
