using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Tables;

namespace Parma.Testing.ApiServer.Tests.Units;

public sealed class JsonPathQueryTests
{
    private static readonly JsonNode Group = JsonNode.Parse("""
        {
          "metadata": {"name": "hello", "labels": {"app.kubernetes.io/name": "hello"}},
          "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}},
          "status": {"conditions": [
            {"type": "Available", "status": "False", "observedGeneration": 1},
            {"type": "PolicyReady", "status": "True", "observedGeneration": 3}
          ]}
        }
        """)!;

    [Theory]
    [InlineData(".spec.replicas", "2")]
    [InlineData("{.spec.replicas}", "2")]
    [InlineData("$.metadata.name", "\"hello\"")]
    [InlineData("spec.replicas", "2")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "\"hello\"")]
    [InlineData(".spec.template.spec.containers[1].image", "\"y\"")]
    [InlineData(".spec.template.spec.containers[-1].name", "\"b\"")]
    [InlineData(".spec.template.spec.containers[*].name", "\"a\",\"b\"")]
    [InlineData(".status.conditions[?(@.type==\"PolicyReady\")].status", "\"True\"")]
    [InlineData(".status.conditions[?(@.type == 'Available')].status", "\"False\"")]
    [InlineData(".status.conditions[?(@.type!=\"Available\")].type", "\"PolicyReady\"")]
    [InlineData(".status.conditions[?(@.observedGeneration>=2)].type", "\"PolicyReady\"")]
    [InlineData(".status.conditions[?(@.observedGeneration<2)].type", "\"Available\"")]
    [InlineData(".status.conditions[?(@.reason)].type", "")]
    [InlineData(".status.readyReplicas", "")]
    [InlineData(".spec.replicas.deeper", "")]
    [InlineData(".spec.template.spec.containers[5].name", "")]
    public void Selects_what_kube_selects(string path, string expected)
    {
        var found = JsonPathQuery.Parse(path).Evaluate(Group);

        string.Join(",", found.Select(n => n?.ToJsonString())).Should().Be(expected);
    }

    [Theory]
    [InlineData("..name", "recursive descent")]
    [InlineData(".spec[", "unclosed [")]
    [InlineData(".spec[abc]", "expected an index")]
    [InlineData(".status.conditions[?(@.type==Ready)]", "is not a literal")]
    [InlineData(".status.conditions[?(@.type=~\"x\")]", "expected ==")]
    [InlineData(".", "a field name is missing")]
    public void Refuses_what_it_does_not_support_with_a_message(string path, string message)
    {
        var parse = () => JsonPathQuery.Parse(path);

        parse.Should().Throw<FormatException>().WithMessage($"*{path}*{message}*");
    }
}
