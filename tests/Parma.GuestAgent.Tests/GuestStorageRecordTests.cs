using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Enforcement;
using Parma.Agent.Hosting;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Oci.Layers;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The agent decides writable storage by its own record of what it set up (data.guest), never by what
/// the host's request says: the example group's policy (its emptyDir an encrypted block volume) served
/// by the enforcing dispatcher over a backend whose record says otherwise is refused.
/// </summary>
public sealed class GuestStorageRecordTests : IAsyncLifetime, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-storage-record-").FullName;
    private ImageResolver? _resolver;
    private PolicySettings _settings = null!;
    private PodPlan _plan = null!;
    private PolicyEngine _engine = null!;
    private byte[] _hostData = null!;
    private string _policyText = null!;
    private readonly List<AgentHost> _hosts = [];

    public async Task InitializeAsync()
    {
        _settings = PolicySettingsLoader.Defaults();
        _resolver = new ImageResolver(cache: new LayerCache(Path.Combine(_work, "cache")));
        var facts = new ResolvingImageFactsSource(_resolver, [RepoPaths.InRepo("examples", "images")]);
        var path = RepoPaths.InRepo("examples", "confidential-pod-group.yaml");
        var manifests = ManifestSet.Parse(await File.ReadAllTextAsync(path), path);
        _plan = await new PolicyPipeline(_settings, facts).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        var policy = new PolicyGenerator(_settings, facts).Render(_plan);
        _policyText = policy.PolicyText;
        _engine = PolicyEngine.Load(policy.PolicyText);
        _hostData = Convert.FromHexString(policy.HostDataHex);
    }

    [Fact]
    public async Task A_storage_the_guest_records_as_unencrypted_is_refused_whatever_the_request_claims()
    {
        var backend = new DecisionsOnlyBackend();
        var host = new KataHostSimulator(_settings, _plan);
        var create = HelloCreate(host);
        var storage = create["storages"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["fstype"]!.GetValue<string>() == "ext4");
        var mountPoint = storage["mount_point"]!.GetValue<string>();
        storage["driver_options"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("encryption_key=ephemeral", "create_filesystem");
        backend.Storages.Keep(new GuestStorageRecord(mountPoint, "blk", "02/00", "ext4", StorageSetup.PlainBlockHostFilesystem, "/dev/vdc", Encrypted: false, Integrity: false, GuestFilesystem: false, InGuestMemory: false, SetUp: true));
        using var dispatcher = Dispatcher(backend);
        await StartSandboxAsync(dispatcher, host);

        var send = () => SendAsync(dispatcher, "CreateContainerRequest", create);

        var denial = (await send.Should().ThrowAsync<TtrpcException>()).Which;
        denial.Code.Should().Be(StatusCode.PermissionDenied);
        denial.Message.Should().Be($"CreateContainerRequest is blocked by policy: create.storage_protection: storages[{create["storages"]!.AsArray().IndexOf(storage)}]: storage at {mountPoint} is not protected by the guest (its record: plain-block-host-filesystem) and the policy does not allow unencrypted storage");
    }

    [Fact]
    public async Task Over_the_socket_the_hosts_claim_of_encryption_for_a_disk_the_guest_left_plain_is_refused_and_the_genuine_one_allowed()
    {
        var host = new KataHostSimulator(_settings, _plan);
        var create = HelloCreate(host);
        var storage = create["storages"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["fstype"]!.GetValue<string>() == "ext4");
        var mountPoint = storage["mount_point"]!.GetValue<string>();

        var forgedRecord = new DecisionsOnlyBackend();
        forgedRecord.Storages.Keep(new GuestStorageRecord(mountPoint, "blk", "02/00", "ext4", StorageSetup.PlainBlockNewFilesystem, "/dev/vdc", Encrypted: false, Integrity: false, GuestFilesystem: true, InGuestMemory: false, SetUp: true));
        await using (var agent = await ServeAsync(forgedRecord, "plain"))
        {
            await StartSandboxAsync(agent, host);
            var send = () => agent.SendAsync("CreateContainerRequest", create);
            var denial = (await send.Should().ThrowAsync<TtrpcException>("the request says encryption_key=ephemeral, the guest's record says it made a plain file system there")).Which;
            denial.Code.Should().Be(StatusCode.PermissionDenied);
            denial.Message.Should().Contain("create.storage_protection").And.Contain("plain-block-new-filesystem").And.Contain(mountPoint);
        }

        await using (var agent = await ServeAsync(new DecisionsOnlyBackend(), "genuine"))
        {
            await StartSandboxAsync(agent, host);
            await agent.SendAsync("CreateContainerRequest", create);
        }
    }

    [Fact]
    public async Task The_record_holds_what_the_agent_sets_up_for_each_storage_until_the_sandbox_goes()
    {
        var backend = new DecisionsOnlyBackend();
        var host = new KataHostSimulator(_settings, _plan);
        using var dispatcher = Dispatcher(backend);
        await StartSandboxAsync(dispatcher, host);
        await SendAsync(dispatcher, "CreateContainerRequest", HelloCreate(host));

        var records = backend.Storages.Records.ToDictionary(r => r.MountPoint);
        records.Keys.Should().BeEquivalentTo("/run/kata-containers/sandbox/shm", "/run/kata-containers/sandbox/storage/MDIvMDA=");
        records["/run/kata-containers/sandbox/storage/MDIvMDA="].Should().Match<GuestStorageRecord>(r => r.Setup == StorageSetup.EncryptedBlock && r.Encrypted && r.Integrity && r.GuestFilesystem && !r.SetUp);
        records["/run/kata-containers/sandbox/shm"].InGuestMemory.Should().BeTrue();

        await SendAsync(dispatcher, "DestroySandboxRequest", new JsonObject());
        backend.Storages.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task A_Linux_backend_that_does_not_carry_out_storages_records_what_it_would_set_up_and_refuses_what_it_never_would()
    {
        var state = Path.Combine(_work, "state");
        await using var backend = new LinuxBackend(new RuntimeOptions { StateDirectory = state, CopyFileRoot = Path.Combine(_work, "guest"), MountStorages = false, VerifyLayers = false, LayerMounts = LayerMounts.Off }, runcPath: null);
        var sandbox = new CreateSandboxRequest { SandboxId = "s" };
        sandbox.Storages.Add(Block(["encryption_key=ephemeral", "create_filesystem"], "/run/kata-containers/sandbox/storage/MDIvMDA="));
        await backend.ExecuteAsync(AgentMethods.ByName["CreateSandbox"], sandbox, CancellationToken.None);
        backend.Storages.Records.Single().Should().Match<GuestStorageRecord>(r => r.Setup == StorageSetup.EncryptedBlock && !r.SetUp);
        Directory.Exists(Path.Combine(_work, "guest")).Should().BeFalse("nothing was carried out");

        var keyOnly = new CreateSandboxRequest { SandboxId = "s" };
        keyOnly.Storages.Add(Block(["encryption_key=ephemeral"], "/run/kata-containers/sandbox/storage/MDMvMDA="));
        var refused = () => backend.ExecuteAsync(AgentMethods.ByName["CreateSandbox"], keyOnly, CancellationToken.None);
        var error = (await refused.Should().ThrowAsync<RuntimeException>()).Which;
        error.Code.Should().Be(StatusCode.InvalidArgument);
        error.Message.Should().Be("CreateSandboxRequest.storages[0]: encryption_key=ephemeral requires create_filesystem: an encrypted device with a new key holds no file system yet");
        backend.Storages.Records.Should().HaveCount(1);
    }

    /// <summary>The agent on a real Unix socket, serving the example group's policy over <paramref name="backend"/>; the client disposes both.</summary>
    private async Task<AgentClient> ServeAsync(IRuntimeBackend backend, string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_work, name)).FullName;
        var policyPath = Path.Combine(directory, "policy.rego");
        await File.WriteAllTextAsync(policyPath, _policyText);
        var socket = Path.Combine(directory, "agent.sock");
        var agentHost = await AgentHost.StartAsync(new AgentHostOptions
        {
            Address = socket,
            PolicyPath = policyPath,
            ReportProvider = ReportProviderChoice.Create("dev", _hostData),
            Backend = backend,
            AuditWriter = TextWriter.Null,
        });
        _hosts.Add(agentHost);
        return await AgentClient.ConnectAsync(socket);
    }

    private static async Task StartSandboxAsync(AgentClient agent, KataHostSimulator host)
    {
        foreach (var request in host.StartPod().Take(3))
        {
            await agent.SendAsync(request.Kind, request.Input);
        }
    }

    private static Storage Block(string[] driverOptions, string mountPoint)
    {
        var storage = new Storage { Driver = "blk", Source = "02/00", Fstype = "ext4", MountPoint = mountPoint, Shared = true };
        storage.DriverOptions.AddRange(driverOptions);
        return storage;
    }

    private EnforcingDispatcher Dispatcher(IRuntimeBackend backend) =>
        new(AgentPolicy.Bound(_engine, _hostData), backend, new AuditLog(TextWriter.Null));

    private JsonObject HelloCreate(KataHostSimulator host) => host.CreateContainer(_plan.Containers.Single(c => c.Name == "hello"));

    private static async Task StartSandboxAsync(EnforcingDispatcher dispatcher, KataHostSimulator host)
    {
        foreach (var request in host.StartPod().Take(3))
        {
            await SendAsync(dispatcher, request.Kind, request.Input);
        }
    }

    private static async Task<IMessage> SendAsync(EnforcingDispatcher dispatcher, string kind, JsonObject json)
    {
        var method = AgentMethods.ForKind(kind)!;
        var request = PolicyInputReader.Read(json, method.Request);
        return await dispatcher.DecideAndExecuteAsync(method, request, PolicyValue.From(request), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var agentHost in _hosts)
        {
            await agentHost.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _resolver?.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
