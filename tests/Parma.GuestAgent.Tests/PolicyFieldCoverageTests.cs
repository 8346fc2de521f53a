using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using Parma.Agent.Protocol;
using Parma.Policy.Framework;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// Every field of CreateContainerRequest (the OCI spec, its process and the storages) and of
/// ExecProcessRequest (its process), as the agent's protobuf descriptors define them, is either checked
/// by a named framework rule or deliberately ignored with a written reason in
/// lib/Parma.Policy/Framework/field-coverage.json. A field added to the protos fails this test until
/// someone decides which it is.
/// </summary>
public sealed partial class PolicyFieldCoverageTests
{
    public const string TablePath = "lib/Parma.Policy/Framework/field-coverage.json";

    private static readonly MessageDescriptor[] Roots = [CreateContainerRequest.Descriptor, ExecProcessRequest.Descriptor];

    /// <summary>Every field path, as the policy input names it: Request.field.sub[] (a [] after a repeated message).</summary>
    private static List<(string Path, FieldDescriptor Field)> Fields()
    {
        var result = new List<(string, FieldDescriptor)>();
        void Walk(MessageDescriptor message, string prefix, int depth)
        {
            depth.Should().BeLessThan(12, $"{prefix} nests too deep (a cycle?)");
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                var path = $"{prefix}.{RustFieldNames.Of(field.Name)}";
                result.Add((path, field));
                if (field.FieldType == FieldType.Message && !field.IsMap)
                {
                    Walk(field.MessageType, field.IsRepeated ? path + "[]" : path, depth + 1);
                }
            }
        }

        foreach (var root in Roots)
        {
            Walk(root, root.Name, 0);
        }

        return result;
    }

    private sealed record Entry(string Path, string[] CheckedBy, string? Ignored, bool Subtree);

    private static List<Entry> Table()
    {
        var json = JsonNode.Parse(File.ReadAllText(RepoPaths.InRepo(TablePath.Split('/'))))!.AsObject();
        return json["fields"]!.AsObject().Select(p => new Entry(
            p.Key,
            p.Value!["checked_by"] is JsonArray rules ? rules.Select(r => r!.GetValue<string>()).ToArray() : [],
            p.Value["ignored"]?.GetValue<string>(),
            p.Value["subtree"]?.GetValue<bool>() ?? false)).ToList();
    }

    [Fact]
    public void Every_field_is_checked_by_a_rule_or_ignored_with_a_reason()
    {
        var table = Table().ToDictionary(e => e.Path, StringComparer.Ordinal);
        var subtrees = table.Values.Where(e => e.Subtree).Select(e => e.Path).ToList();
        bool Covered(string path) => table.ContainsKey(path) || subtrees.Any(s => path.StartsWith(s + ".", StringComparison.Ordinal) || path.StartsWith(s + "[].", StringComparison.Ordinal));

        var leaves = Fields().Where(f => f.Field.FieldType != FieldType.Message || f.Field.IsMap || f.Field.MessageType.Fields.InDeclarationOrder().Count == 0).Select(f => f.Path).ToList();
        var messages = Fields().Where(f => f.Field.FieldType == FieldType.Message && !f.Field.IsMap).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);

        leaves.Where(p => !Covered(p)).Should().BeEmpty($"each field needs a row in {TablePath}: checked_by (framework rules) or ignored (the reason)");
        table.Keys.Where(p => !leaves.Contains(p) && !messages.Contains(p)).Should().BeEmpty("a row must name a field the protos have");
        table.Values.Where(e => !e.Subtree && messages.Contains(e.Path) && !leaves.Contains(e.Path)).Select(e => e.Path)
            .Should().BeEmpty("a row on a message covers its fields only as a subtree (\"subtree\": true), for a message the policy refuses or ignores as a whole");
        leaves.Count.Should().BeGreaterThan(100);
    }

    [Fact]
    public void Every_row_names_existing_checks_or_gives_a_reason()
    {
        var checks = FailureName().Matches(PolicyFramework.Text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in Table())
        {
            (entry.CheckedBy.Length > 0 ^ entry.Ignored is not null).Should().BeTrue($"{entry.Path}: either checked_by or ignored");
            entry.CheckedBy.Where(r => !checks.Contains(r)).Should().BeEmpty($"{entry.Path}: checked_by names framework checks");
            if (entry.Ignored is not null)
            {
                entry.Ignored.Length.Should().BeGreaterThan(20, $"{entry.Path}: the reason says why the field cannot widen what the group allows");
            }
        }
    }

    [GeneratedRegex("""(?:failure\((?:idx, )?|_failures\()"([a-z_]+\.[a-z_]+)"[,)]""")]
    private static partial Regex FailureName();
}
