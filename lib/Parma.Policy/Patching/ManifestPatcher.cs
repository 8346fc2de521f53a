using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Core.Tokens;
using YamlDotNet.RepresentationModel;

namespace Parma.Policy.Patching;

/// <summary>The patched manifest text, and what the patch had to reformat.</summary>
public sealed record ManifestPatch(string Text, IReadOnlyList<string> Notes);

/// <summary>
/// Stamps generated annotations into the pod templates of a manifest file (like genpolicy's -y), by
/// editing the text where the YAML parser located the nodes: everything else — comments, key order,
/// quoting, blank lines, other documents — stays byte for byte. An annotation that is already there
/// has its value replaced in place; a new one is added as the first entry of the template's
/// annotations, keys in a fixed order, so a second run gives the same bytes. Only a flow-style
/// (<c>{…}</c>) mapping on the way is rewritten whole, as JSON (comments inside it are lost); the
/// patch says so in its notes. With <c>pinImages</c>, each container's <c>image</c> becomes the
/// digest-pinned reference the policy allows.
/// </summary>
public static class ManifestPatcher
{
    private const int IndentStep = 2;

    // Only what JSON requires is escaped (not '+', which base64 is full of).
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ManifestPatch Patch(string yaml, string sourceName, IEnumerable<GeneratedPolicy> policies, bool pinImages = false)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(policies);
        var roots = YamlDocuments.Roots(yaml, sourceName);
        var edits = new TextEdits(yaml, CollectionEnds(yaml));
        var notes = new List<string>();
        foreach (var policy in policies)
        {
            var workload = policy.Workload;
            var what = $"{sourceName}: {workload.Kind} {workload.Name}";
            if (workload.DocumentIndex >= roots.Count || workload.TemplatePath is null)
            {
                throw new InvalidOperationException($"{what}: the workload does not come from this file.");
            }

            var template = Walk(roots[workload.DocumentIndex], workload.TemplatePath)
                ?? throw new InvalidOperationException($"{what}: no pod template at {string.Join('.', workload.TemplatePath)}.");
            RejectShared(template, what);
            StampAnnotations(edits, template, workload, policy.Annotations, what, notes);
            if (pinImages)
            {
                PinImages(edits, template, policy, what);
            }
        }

        return new ManifestPatch(edits.Apply(), notes);
    }

    /// <summary>
    /// Where each flow collection (<c>{…}</c>, <c>[…]</c>) ends, by where it starts: the representation model's nodes
    /// and the parser's events only know where collections start, the scanner's tokens where the brackets are.
    /// </summary>
    private static Dictionary<int, int> CollectionEnds(string yaml)
    {
        var ends = new Dictionary<int, int>();
        var open = new Stack<int>();
        var scanner = new Scanner(new StringReader(yaml));
        while (scanner.MoveNext())
        {
            switch (scanner.Current)
            {
                case FlowMappingStart or FlowSequenceStart:
                    open.Push((int)scanner.Current.Start.Index);
                    break;
                case FlowMappingEnd or FlowSequenceEnd:
                    ends[open.Pop()] = (int)scanner.Current.Start.Index + 1;
                    break;
            }
        }

        return ends;
    }

    /// <summary>
    /// A node defined with an anchor (<c>&amp;name</c>) may be used elsewhere through an alias: editing it in place
    /// would change those places too, so a template whose edited parts are anchored is refused.
    /// </summary>
    private static void RejectShared(YamlNode template, string what)
    {
        foreach (var node in new[] { template, Walk(template, ["metadata"]), Walk(template, ["metadata", "annotations"]) })
        {
            if (node is not null && !node.Anchor.IsEmpty)
            {
                throw new PolicyInputException(
                    $"{what}: line {node.Start.Line}: the pod template's metadata uses the YAML anchor &{node.Anchor}, which other places may share; --patch cannot stamp it in place.");
            }
        }
    }

    private static YamlNode? Walk(YamlNode node, IEnumerable<string> path)
    {
        YamlNode? current = node;
        foreach (var step in path)
        {
            current = current switch
            {
                YamlMappingNode mapping => Value(mapping, step),
                YamlSequenceNode sequence when int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < sequence.Children.Count
                    => sequence.Children[i],
                _ => null,
            };
        }

        return current;
    }

    private static YamlNode? Value(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key).Value;

    private static void StampAnnotations(TextEdits edits, YamlNode template, Workload workload, PolicyAnnotations stamped, string what, List<string> notes)
    {
        // The annotations the template ends up with: what it has, minus the other policy format's key, plus ours.
        var wanted = stamped.ToDictionary();
        var stale = new[] { PolicyAnnotations.AgentPolicyKey, PolicyAnnotations.InitDataKey }.Where(k => !wanted.ContainsKey(k)).ToHashSet(StringComparer.Ordinal);
        if (template is not YamlMappingNode { Style: not MappingStyle.Flow } templateMapping)
        {
            var rewritten = workload.Template.DeepClone().AsObject();
            rewritten["metadata"] = MetadataWith(workload.Metadata, wanted, stale);
            Rewrite(edits, template, rewritten, $"{what}: the flow-style pod template was rewritten as JSON", notes);
            return;
        }

        var metadata = Value(templateMapping, "metadata");
        if (metadata is null || IsNull(metadata))
        {
            var entries = new JsonObject { ["annotations"] = ToObject(wanted) };
            if (metadata is null)
            {
                InsertFirst(edits, templateMapping, "metadata", entries);
            }
            else
            {
                ReplaceNull(edits, templateMapping, metadata, entries);
            }

            return;
        }

        if (metadata is not YamlMappingNode { Style: not MappingStyle.Flow } metadataMapping)
        {
            Rewrite(edits, metadata, MetadataWith(workload.Metadata, wanted, stale), $"{what}: the flow-style metadata of the pod template was rewritten as JSON", notes);
            return;
        }

        var annotations = Value(metadataMapping, "annotations");
        if (annotations is null || IsNull(annotations))
        {
            if (annotations is null)
            {
                InsertFirst(edits, metadataMapping, "annotations", ToObject(wanted));
            }
            else
            {
                ReplaceNull(edits, metadataMapping, annotations, ToObject(wanted));
            }

            return;
        }

        if (annotations is not YamlMappingNode { Style: not MappingStyle.Flow } annotationMapping)
        {
            var merged = MetadataWith(workload.Metadata, wanted, stale)["annotations"]!;
            Rewrite(edits, annotations, merged, $"{what}: the flow-style annotations of the pod template were rewritten as JSON", notes);
            return;
        }

        var missing = new JsonObject();
        foreach (var (key, value) in wanted)
        {
            if (Value(annotationMapping, key) is { } existing)
            {
                ReplaceScalar(edits, existing, Quoted(value), what);
            }
            else
            {
                missing[key] = value;
            }
        }

        var removed = new HashSet<YamlNode>();
        foreach (var (key, value) in annotationMapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !stale.Contains(name))
            {
                continue;
            }

            if (missing[stamped.Key] is { } policyValue)
            {
                // The policy changes format: its entry keeps its place under the other key.
                ReplaceScalar(edits, key, stamped.Key, what);
                ReplaceScalar(edits, value, Quoted(policyValue.GetValue<string>()), what);
                missing.Remove(stamped.Key);
            }
            else
            {
                RemoveEntry(edits, key, value);
                removed.Add(key);
            }
        }

        if (missing.Count > 0)
        {
            var anchor = annotationMapping.Children.Select(p => p.Key).FirstOrDefault(k => !removed.Contains(k))
                ?? throw new InvalidOperationException($"{what}: no annotation entry to insert before.");
            InsertEntries(edits, anchor, missing);
        }
    }

    private static void PinImages(TextEdits edits, YamlNode template, GeneratedPolicy policy, string what)
    {
        var pinned = policy.Containers.ToDictionary(c => c.Name, c => c.Image, StringComparer.Ordinal);
        foreach (var list in new[] { "initContainers", "containers" })
        {
            if (Walk(template, ["spec", list]) is not YamlSequenceNode containers)
            {
                continue;
            }

            foreach (var container in containers.Children.OfType<YamlMappingNode>())
            {
                if (Value(container, "name") is YamlScalarNode { Value: { } name } && pinned.TryGetValue(name, out var image)
                    && Value(container, "image") is YamlScalarNode current && current.Value != image)
                {
                    ReplaceScalar(edits, current, current.Style switch
                    {
                        ScalarStyle.Plain => image,
                        ScalarStyle.SingleQuoted => $"'{image.Replace("'", "''", StringComparison.Ordinal)}'",
                        _ => Quoted(image),
                    }, what);
                }
            }
        }
    }

    /// <summary>A copy of the pod template's metadata with the merged annotations (for rewriting a flow mapping).</summary>
    private static JsonObject MetadataWith(JsonObject metadata, IReadOnlyDictionary<string, string> wanted, HashSet<string> stale)
    {
        var copy = metadata.DeepClone().AsObject();
        var annotations = copy["annotations"] as JsonObject ?? new JsonObject();
        copy["annotations"] = annotations;
        foreach (var key in stale)
        {
            annotations.Remove(key);
        }

        foreach (var (key, value) in wanted)
        {
            annotations[key] = value;
        }

        return copy;
    }

    private static JsonObject ToObject(IReadOnlyDictionary<string, string> entries) =>
        new(entries.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>Adds <c>key:</c> with a block mapping of <paramref name="entries"/> as the first entry of a block mapping.</summary>
    private static void InsertFirst(TextEdits edits, YamlMappingNode mapping, string key, JsonObject entries)
    {
        var first = mapping.Children.First().Key;
        var at = (int)first.Start.Index;
        var indent = new string(' ', edits.Column(at));
        edits.Insert(at, $"{key}:\n{Block(entries, indent + new string(' ', IndentStep))}\n{indent}");
    }

    /// <summary>Adds entries to a block mapping just before its key <paramref name="anchor"/>, at that key's indentation.</summary>
    private static void InsertEntries(TextEdits edits, YamlNode anchor, JsonObject entries)
    {
        var at = (int)anchor.Start.Index;
        var indent = new string(' ', edits.Column(at));
        edits.Insert(at, $"{Block(entries, indent)[indent.Length..]}\n{indent}");
    }

    /// <summary>Replaces a null value (<c>key:</c> or <c>key: ~</c>) with a block mapping on the following lines.</summary>
    private static void ReplaceNull(TextEdits edits, YamlMappingNode parent, YamlNode nullValue, JsonObject entries)
    {
        var key = parent.Children.First(p => ReferenceEquals(p.Value, nullValue)).Key;
        var indent = new string(' ', edits.Column((int)key.Start.Index) + IndentStep);
        var start = (int)nullValue.Start.Index;
        var end = Math.Max(start, (int)nullValue.End.Index);
        edits.Replace(start, end, "\n" + Block(entries, indent));
    }

    private static void Rewrite(TextEdits edits, YamlNode node, JsonNode replacement, string note, List<string> notes)
    {
        var start = (int)node.Start.Index;
        edits.Replace(start, edits.EndOf(start, (int)node.End.Index), replacement.ToJsonString(Json));
        notes.Add(note);
    }

    private static void ReplaceScalar(TextEdits edits, YamlNode node, string replacement, string what)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw new PolicyInputException($"{what}: line {node.Start.Line}: expected a string value here.");
        }

        var start = (int)scalar.Start.Index;
        var end = (int)scalar.End.Index;
        // A block scalar (| or >) ends after its line break; keep the break so the next key stays on its own line.
        var span = edits.Text[start..end];
        var trailing = span.Length - span.TrimEnd('\n', '\r', ' ').Length;
        edits.Replace(start, end, replacement + (scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded ? span[^trailing..] : string.Empty));
    }

    /// <summary>Removes a whole <c>key: value</c> entry of a block mapping, from the key's line to the end of the value's line.</summary>
    private static void RemoveEntry(TextEdits edits, YamlNode key, YamlNode value)
    {
        var start = edits.LineStart((int)key.Start.Index);
        var end = (int)value.End.Index;
        if (end == 0 || edits.Text[end - 1] != '\n')
        {
            var newline = edits.Text.IndexOf('\n', end);
            end = newline < 0 ? edits.Text.Length : newline + 1;
        }

        edits.Replace(start, end, string.Empty);
    }

    /// <summary>String entries (or nested objects of them) as block-mapping lines at <paramref name="indent"/>, without a final line break.</summary>
    private static string Block(JsonObject entries, string indent) => string.Join('\n', entries.Select(p => p.Value is JsonObject nested
        ? $"{indent}{p.Key}:\n{Block(nested, indent + new string(' ', IndentStep))}"
        : $"{indent}{p.Key}: {Quoted(p.Value!.GetValue<string>())}"));

    /// <summary>A YAML double-quoted scalar (JSON's string escapes are a subset of YAML's).</summary>
    private static string Quoted(string value) => JsonSerializer.Serialize(value, Json);
}
