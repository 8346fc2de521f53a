using System.Text.Json;
using Parma.Kube.Models;
using Parma.Kube.Serialization;

namespace Parma.Kube.Tests;

public sealed class ModelSerializationTests
{
    [Fact]
    public void Unknown_fields_round_trip_at_every_level()
    {
        const string json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","futureMeta":1,"managedFields":[{"manager":"m","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
             "spec":{"containers":[{"name":"a","image":"i","resizePolicy":[{"resourceName":"cpu"}],"ports":[{"containerPort":80}]}],"os":{"name":"linux"}},
             "status":{"phase":"Running","resize":"Proposed"}}
            """;
        var pod = JsonSerializer.Deserialize<Pod>(json, KubeJson.Options)!;
        pod.Spec!.Containers[0].Ports![0].Port.Should().Be(80);
        var back = JsonSerializer.Serialize(pod, KubeJson.Options);
        JsonElement.DeepEquals(JsonDocument.Parse(back).RootElement, JsonDocument.Parse(json).RootElement).Should().BeTrue(back);
    }

    [Fact]
    public void Times_use_kubernetes_formats()
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Name = "l", CreationTimestamp = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(1)) },
            Spec = new LeaseSpec { RenewTime = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 500, TimeSpan.Zero) },
        };
        var json = JsonSerializer.Serialize(lease, KubeJson.Options);
        json.Should().Contain("\"creationTimestamp\":\"2026-11-21T09:00:00Z\"");
        json.Should().Contain("\"renewTime\":\"2026-11-21T10:00:00.500000Z\"");
    }

    [Fact]
    public void Int_or_string_keeps_its_form()
    {
        var probe = JsonSerializer.Deserialize<Probe>("""{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}}""", KubeJson.Options)!;
        probe.HttpGet!.Port.StringValue.Should().Be("http");
        probe.TcpSocket!.Port.IntValue.Should().Be(8080);
        JsonSerializer.Serialize(probe, KubeJson.Options).Should().Be("""{"httpGet":{"port":"http"},"tcpSocket":{"port":8080}}""");
    }

    [Fact]
    public void Status_reads_the_status_field()
    {
        var status = JsonSerializer.Deserialize<Status>("""{"kind":"Status","status":"Failure","reason":"NotFound","code":404}""", KubeJson.Options)!;
        status.StatusValue.Should().Be("Failure");
        status.Code.Should().Be(404);
    }
}
