using System.Security.Cryptography;
using System.Text;
using Parma.Api;
using Parma.Attestation.Certificates;
using Parma.Attestation.Guest;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.Kube.Models;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.KeyRelease.Tests;

/// <summary>A release policy naming a ConfidentialPodGroup follows the group's status and its live pods, read from the API server.</summary>
public sealed class KubernetesHostDataSourceTests(DevelopmentAuthorityFixture fixture) : IClassFixture<DevelopmentAuthorityFixture>, IAsyncLifetime
{
    private static readonly string PolicyA = Hash("package agent_policy\n# a\n");
    private static readonly string PolicyB = Hash("package agent_policy\n# b\n");
    private static readonly GroupReference Group = new("tenant-a", "payments");

    private TestApiServer _server = null!;
    private KubernetesClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync(new TestApiServerOptions { InitialNamespaces = ["default", "tenant-a"] });
        await _server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName)));
        _client = new KubernetesClient(KubeConfigLoader.LoadYaml(_server.Kubeconfig()), ParmaJson.Options);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Allowed_values_are_the_status_host_data_and_the_groups_own_live_pods()
    {
        var source = new KubernetesHostDataSource(_client);
        (await source.GetAllowedHostDataAsync(Group, default)).Should().BeEmpty("a group that does not exist allows nothing");

        var group = await CreateGroupAsync(PolicyB);
        await CreatePodAsync("payments-old", PolicyA, owner: group);
        await CreatePodAsync("impostor", Hash("package agent_policy\n# evil\n"), owner: null);

        (await source.GetAllowedHostDataAsync(Group, default)).Should().BeEquivalentTo([PolicyA, PolicyB],
            "the old pod still runs on policy A during the roll; a labelled pod the group does not own adds nothing");

        await _client.DeleteAsync<Pod>("payments-old", Group.Namespace);
        (await source.GetAllowedHostDataAsync(Group, default)).Should().Equal(PolicyB);
    }

    [Fact]
    public async Task The_service_releases_only_to_the_policy_the_groups_status_names()
    {
        await CreateGroupAsync(PolicyB);
        var policy = new KeyReleasePolicy { Group = Group };
        var secrets = new Dictionary<string, ReleasableSecret> { ["db"] = new("db", Encoding.UTF8.GetBytes("s3cret"), policy) };
        var verifier = new SnpReportVerifier(fixture.Authority.TrustAsDevelopmentRoot(TrustedRoots.AmdBuiltIn()));
        await using var service = await LoopbackKeyReleaseServer.StartAsync(secrets, verifier, new KubernetesHostDataSource(_client));
        using var http = service.CreateClient();

        var onA = new KeyReleaseClient(http, Guest(PolicyA), rsaKeySize: 2048);
        var refused = async () => await onA.ReleaseAsync("db");
        (await refused.Should().ThrowAsync<KeyReleaseRefusedException>()).Which.Refusal.Reason.Should().Be("HostDataMismatch");

        var onB = new KeyReleaseClient(http, Guest(PolicyB), rsaKeySize: 2048);
        (await onB.ReleaseAsync("db")).Should().Equal(Encoding.UTF8.GetBytes("s3cret"));
    }

    private DevelopmentReportProvider Guest(string hostData) =>
        new(fixture.Authority, new DevelopmentReportSettings { HostData = Convert.FromHexString(hostData) });

    private async Task<ConfidentialPodGroup> CreateGroupAsync(string hostData)
    {
        var group = new ConfidentialPodGroup { Metadata = new ObjectMeta { Name = Group.Name, Namespace = Group.Namespace } };
        group.Spec.Template = new PodTemplateSpec
        {
            Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "registry.example/app@sha256:" + new string('1', 64) }] },
        };
        var created = await _client.CreateAsync(group);
        created.Status = new ConfidentialPodGroupStatus { HostData = hostData, PolicyHash = ParmaLabels.ShortHash(hostData) };
        return await _client.ReplaceStatusAsync(created);
    }

    private async Task CreatePodAsync(string name, string hostData, ConfidentialPodGroup? owner)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = Group.Namespace,
                Labels = new() { [ParmaLabels.Group] = Group.Name },
                Annotations = new() { [ParmaLabels.HostDataAnnotation] = hostData },
                OwnerReferences = owner is null ? null :
                [
                    new OwnerReference
                    {
                        ApiVersion = ParmaApi.ApiVersion, Kind = ParmaApi.Kind, Name = owner.Metadata.Name!, Uid = owner.Metadata.Uid!,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "registry.example/app:1" }] },
        };
        await _client.CreateAsync(pod);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
