using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Parma.Attestation.KeyRelease;
using Parma.KeyRelease.Hosting;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// The attack issue 17 describes: a namespace user writes their own policy, runs a UVM with it, and stamps its host_data on a
/// pod that carries the group's label (or rewrites the group's status). Key release used to read those and release the
/// group's secret. Now nothing from the cluster reaches it: the approved values come from the tenant's manifests only.
/// </summary>
public sealed class ClusterCannotWidenTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private readonly TenantDirectory _tenant;

    public ClusterCannotWidenTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    [Fact]
    public async Task A_uvm_running_a_policy_the_attacker_wrote_gets_nothing_and_the_refusal_names_the_approved_policy()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.WriteConfig(new { manifests = new[] { "groups/hello.yaml" }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } });
        var approved = await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup);
        // What the attacker puts in the pod's parma.dev/host-data annotation (or the group's status.hostData) and launches.
        var attacker = await ExamplePolicies.HostDataAsync(ExamplePolicies.AttackerGroup);
        attacker.Should().NotBe(approved);

        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();
        var act = () => new KeyReleaseClient(http, _tenant.Guest(attacker), rsaKeySize: 2048).ReleaseAsync("db");
        var refusal = (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;

        refusal.StatusCode.Should().Be(403);
        refusal.Refusal.Reason.Should().Be("HostDataMismatch");
        refusal.Refusal.Message.Should().Be($"the attestation report does not satisfy the release policy of key 'db': HOST_DATA {attacker} is not the approved policy: {approved}");
        server.Logs.Text.Should().Contain("Decision=AttestationFailed").And.Contain($"HostData={attacker}");
    }

    [Fact]
    public async Task Nothing_the_requester_sends_besides_its_evidence_is_read()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.WriteConfig(new { manifests = new[] { "groups/hello.yaml" }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } });
        var attacker = await ExamplePolicies.HostDataAsync(ExamplePolicies.AttackerGroup);
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        using var key = RSA.Create(2048);
        var request = await new KeyReleaseClient(http, _tenant.Guest(attacker), rsaKeySize: 2048).CreateRequestAsync(key);
        var body = System.Text.Json.JsonSerializer.SerializeToNode(request)!.AsObject();
        body["allowedHostData"] = new JsonArray(attacker);
        body["group"] = "demo/hello";
        body["hostData"] = attacker;
        body["manifests"] = new JsonArray("/etc/passwd");

        using var response = await http.PostAsJsonAsync("keys/db/release", body);
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<KeyReleaseRefusal>())!.Reason.Should().Be("HostDataMismatch");
    }

    [Fact]
    public void The_key_release_service_cannot_read_a_cluster_it_does_not_link_a_kubernetes_client()
    {
        var reachable = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(KeyReleaseServer).Assembly, Assembly.Load("parma-key-release")]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies().Where(name => name.Name!.StartsWith("Parma", StringComparison.Ordinal) || name.Name == "parma-key-release"))
            {
                if (reachable.Add(reference.Name!))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        reachable.Should().Contain(["Parma.KeyRelease", "Parma.Policy", "Parma.Attestation"]);
        reachable.Should().NotContain(["Parma.Kube", "Parma.Api"], "group status, pods, labels and annotations must not be inputs to key release");
    }
}
