using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using Parma.Agent.Protocol;
using Parma.Policy.Framework;
using Parma.Testing;

namespace Parma.GuestAgent.Tests.Protocol;

/// <summary>
/// Our protos are Kata's agent API: every message, field name, number, type and presence, every enum
/// value and every AgentService method equals the facts read from Kata's protos (kata-agent-api.tsv),
/// so a change on either side shows up here.
/// </summary>
public sealed partial class KataAgentApiTests
{
    private static readonly string FactsPath = RepoPaths.InRepo("tests", "Parma.GuestAgent.Tests", "Protocol", "kata-agent-api.tsv");

    private static IReadOnlyList<string> KataFacts => File.ReadAllLines(FactsPath).Where(l => l.Length > 0 && l[0] != '#').ToList();

    /// <summary>Our compiled protos as the same lines: agent.proto and the files it imports, except google/*.</summary>
    private static List<string> OurFacts()
    {
        var lines = new List<string>();
        var files = new[] { AgentReflection.Descriptor }.Concat(AgentReflection.Descriptor.Dependencies).Where(f => !f.Name.StartsWith("google/", StringComparison.Ordinal));
        foreach (var file in files)
        {
            foreach (var message in file.MessageTypes)
            {
                AddMessage(lines, message);
            }

            foreach (var e in file.EnumTypes)
            {
                AddEnum(lines, e);
            }

            foreach (var service in file.Services)
            {
                lines.AddRange(service.Methods.Select(m => $"rpc\t{service.FullName}\t{m.Name}\t{m.InputType.FullName}\t{m.OutputType.FullName}"));
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void AddMessage(List<string> lines, MessageDescriptor message)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            var typeName = field.FieldType switch
            {
                FieldType.Message or FieldType.Group => field.MessageType.FullName,
                FieldType.Enum => field.EnumType.FullName,
                _ => "-",
            };
            var presence = field.ContainingOneof switch
            {
                null => "-",
                { IsSynthetic: true } => "optional",
                var oneof => $"oneof:{oneof.Name}",
            };
            var label = field.IsRepeated ? "repeated" : "optional";
            lines.Add($"field\t{message.FullName}\t{field.Name}\t{field.FieldNumber}\t{label}\t{field.FieldType.ToString().ToLowerInvariant()}\t{typeName}\t{presence}");
        }

        foreach (var nested in message.NestedTypes)
        {
            AddMessage(lines, nested);
        }

        foreach (var e in message.EnumTypes)
        {
            AddEnum(lines, e);
        }
    }

    private static void AddEnum(List<string> lines, EnumDescriptor e) =>
        lines.AddRange(e.Values.Select(v => $"enum\t{e.FullName}\t{v.Name}\t{v.Number}"));

    [Fact]
    public void Our_protos_declare_exactly_Kata_agent_API()
    {
        var ours = OurFacts();
        var kata = KataFacts;
        kata.Should().HaveCountGreaterThan(400, "the facts file lists Kata's whole API");
        ours.Except(kata).Should().BeEmpty("nothing of ours differs from Kata's API (message, field, number, label, type, presence)");
        kata.Except(ours).Should().BeEmpty("every field, enum value and method of Kata's API is in our protos");
    }

    [Fact]
    public void Every_method_of_the_service_has_a_request_kind_with_a_default_rule_in_the_framework()
    {
        var defaults = DefaultRule().Matches(PolicyFramework.Text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var methods = KataFacts.Where(l => l.StartsWith("rpc\t", StringComparison.Ordinal)).Select(l => l.Split('\t')[2]).ToList();
        methods.Should().HaveCount(AgentMethods.ByName.Count);
        foreach (var name in methods)
        {
            AgentMethods.ByName.Should().ContainKey(name);
            defaults.Should().Contain(AgentMethods.ByName[name].Kind, $"{name} is decided by the rule named after its request type, which must default to a decision");
        }
    }

    [GeneratedRegex(@"^default ([A-Za-z]+) :?=", RegexOptions.Multiline)]
    private static partial Regex DefaultRule();
}
