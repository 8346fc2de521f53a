using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Parma.Kube.Tests;

/// <summary>How the official client's models serialize: what Parma's writes and the webhook's schema rely on.</summary>
public sealed class ModelSerializationTests
{
    [Fact]
    public void Known_fields_round_trip_and_unknown_ones_are_dropped_which_is_why_controllers_patch()
    {
        const string json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","futureMeta":1,"managedFields":[{"manager":"m","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
             "spec":{"containers":[{"name":"a","image":"i","resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],"ports":[{"containerPort":80}]}],"os":{"name":"linux"}},
             "status":{"phase":"Running","resize":"Proposed"}}
            """;
        var pod = KubernetesJson.Deserialize<V1Pod>(json);
        pod.Spec!.Containers[0].Ports![0].ContainerPort.Should().Be(80);
        var back = JsonNode.Parse(KubernetesJson.Serialize(pod))!;
        var expected = JsonNode.Parse(json)!;
        expected["metadata"]!.AsObject().Remove("futureMeta");
        JsonNode.DeepEquals(back, expected).Should().BeTrue(back.ToJsonString());
        back["metadata"]!["futureMeta"].Should().BeNull("a typed PUT would lose a field the model does not know; Parma's writes are patches");
    }

    [Fact]
    public void Times_use_kubernetes_formats()
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "l", CreationTimestamp = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(1)).UtcDateTime },
            Spec = new V1LeaseSpec { RenewTime = new DateTime(2026, 11, 21, 10, 0, 0, 500, DateTimeKind.Utc) },
        };
        var json = KubernetesJson.Serialize(lease);
        json.Should().Contain("\"creationTimestamp\":\"2026-11-21T09:00:00Z\"");
        json.Should().Contain("\"renewTime\":\"2026-11-21T10:00:00.500000Z\"");
    }

    [Fact]
    public void Int_or_string_keeps_its_form()
    {
        var probe = KubernetesJson.Deserialize<V1Probe>("""{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}}""");
        probe.HttpGet!.Port.Value.Should().Be("http");
        probe.TcpSocket!.Port.ToInt().Should().Be(8080);
        KubernetesJson.Serialize(probe).Should().Be("""{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}}""");
    }

    [Fact]
    public void Status_reads_the_status_field()
    {
        var status = KubernetesJson.Deserialize<V1Status>("""{"kind":"Status","status":"Failure","reason":"NotFound","code":404}""");
        status.Status.Should().Be("Failure");
        status.Code.Should().Be(404);
    }
}
