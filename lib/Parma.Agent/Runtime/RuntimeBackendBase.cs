using System.Collections.Concurrent;
using System.Diagnostics;
using Process = Parma.Agent.Protocol.Process;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime.Cgroups;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Runtime;

/// <summary>
/// What the backends share: container bookkeeping, layer verification and bundles on create,
/// processes, signals, waits, standard I/O and removal. A backend supplies how a process is
/// launched. Requests a backend cannot carry out answer UNIMPLEMENTED (and keep no policy state).
/// The requests beyond the container life cycle are in RuntimeBackendBase.Requests.cs.
/// </summary>
public abstract partial class RuntimeBackendBase(RuntimeOptions options, MountSupport? mountSupport = null) : IRuntimeBackend
{
    private const string ContainerTypeAnnotation = "io.kubernetes.cri.container-type";

    private readonly ConcurrentDictionary<string, ContainerRecord> _containers = new(StringComparer.Ordinal);
    private readonly LayerVerifier _layers = new(options);

    // The layers prepared for a CreateContainer request (unpacked directories by layer id; empty when they were only verified), by request object.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<CreateContainerRequest, Dictionary<string, string>> _prepared = [];
    private readonly OomMonitor _oomEvents = new();
    private LayerStore? _layerStore;
    private readonly GuestStorages _storages = new(options);

    public abstract string Name { get; }

    protected RuntimeOptions Options => options;

    /// <summary>Whether containers run inside the bundle's root file system (runc) and so need their layers mounted there.</summary>
    protected virtual bool RunsInRootfs => false;

    /// <summary>What this machine allows when building root file systems (detected unless given).</summary>
    protected MountSupport MountSupport { get; } = mountSupport ?? MountSupport.Detect();

    /// <summary>Whether CreateContainer unpacks the verified layers and mounts the container's overlay root file system.</summary>
    public bool MountsLayers => RunsInRootfs && options.VerifyLayers && options.LayerMounts switch
    {
        LayerMounts.Off => false,
        LayerMounts.Required => true,
        _ => MountSupport.MissingForLayerMounts is null,
    };

    public IReadOnlyCollection<string> ContainerIds => [.. _containers.Keys];

    /// <summary>The guest's record of the storages it set up (or, when <see cref="RuntimeOptions.MountStorages"/> is off, would set up).</summary>
    public GuestStorageLedger Storages => _storages.Ledger;

    /// <summary>How the container's init process starts; null when there is nothing to run (the sandbox's pause container).</summary>
    private protected abstract ProcessStartInfo? InitProcess(ContainerRecord container);

    private protected abstract ProcessStartInfo ExecProcess(ContainerRecord container, string execId, Process process);

    /// <summary>
    /// Where the runtime writes the pid of the container's process <paramref name="key"/> (the container
    /// id for its init process, else the exec id), so that signals reach that process and not the
    /// runtime; null when the started process is the container's process.
    /// </summary>
    private protected virtual string? PidFile(ContainerRecord container, string key) => null;

    /// <summary>Called once a container's init process has been started (the Linux backend finds its cgroup here).</summary>
    private protected virtual Task StartedAsync(ContainerRecord container, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The containers whose cgroups are watched for OOM kills (GetOOMEvent).</summary>
    private protected OomMonitor OomEvents => _oomEvents;

    /// <summary>Called when a container is removed, before its processes are stopped and its bundle deleted.</summary>
    private protected virtual Task RemovingAsync(ContainerRecord container, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A CreateContainer with layer storages this backend checks (and, when it mounts them, unpacks).</summary>
    public bool NeedsPreparation(IMessage request) =>
        request is CreateContainerRequest create && options.VerifyLayers && create.Storages.Any(s => s.Fstype == "tar");

    public async Task PrepareAsync(AgentMethod method, IMessage request, LayerSourcePolicy layers, CancellationToken cancellationToken)
    {
        if (request is not CreateContainerRequest create || !NeedsPreparation(request))
        {
            return;
        }

        var sources = _layers.Sources(create, layers);
        Dictionary<string, string> unpacked;
        if (MountsLayers)
        {
            unpacked = await UnpackLayersAsync(create, sources, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _layers.VerifyAsync(sources, cancellationToken).ConfigureAwait(false);
            unpacked = [];
        }

        _prepared.AddOrUpdate(create, unpacked);
    }

    public async Task<IMessage> ExecuteAsync(AgentMethod method, IMessage request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case CreateSandboxRequest sandbox:
                Directory.CreateDirectory(options.StateDirectory);
                await _storages.ApplyAsync(sandbox.Storages, nameof(CreateSandboxRequest), cancellationToken).ConfigureAwait(false);

                return new Empty();
            case CreateContainerRequest create:
                await CreateAsync(create, cancellationToken).ConfigureAwait(false);
                return new Empty();
            case StartContainerRequest start:
                await StartAsync(Find(start.ContainerId), cancellationToken).ConfigureAwait(false);
                return new Empty();
            case ExecProcessRequest exec:
                Exec(exec);
                return new Empty();
            case SignalProcessRequest signal:
                ProcessOf(signal.ContainerId, signal.ExecId, allowMissing: true)?.Signal((int)signal.Signal);
                return new Empty();
            case WaitProcessRequest wait:
                return await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            case RemoveContainerRequest remove:
                await RemoveAsync(remove.ContainerId, cancellationToken).ConfigureAwait(false);
                return new Empty();
            case ReadStreamRequest read:
                return await ReadAsync(method, read, cancellationToken).ConfigureAwait(false);
            case WriteStreamRequest write:
                await ProcessOf(write.ContainerId, write.ExecId)!.WriteStdinAsync(write.Data.Memory, cancellationToken).ConfigureAwait(false);
                return new WriteStreamResponse { Len = (uint)write.Data.Length };
            case CloseStdinRequest close:
                ProcessOf(close.ContainerId, close.ExecId)!.CloseStdin();
                return new Empty();
            case CopyFileRequest copy:
                CopiedFiles.Apply(copy, options.CopyFileRoot, MountSupport.CanChown);
                return new Empty();
            case DestroySandboxRequest:
                foreach (var id in _containers.Keys)
                {
                    await RemoveAsync(id, cancellationToken).ConfigureAwait(false);
                }

                _layerStore?.Clear();
                await _storages.ClearAsync().ConfigureAwait(false);
                _oomEvents.Close();
                return new Empty();
            default:
                return await ExecuteMoreAsync(method, request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreateAsync(CreateContainerRequest create, CancellationToken cancellationToken)
    {
        if (create.OCI is null)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, "CreateContainerRequest without an OCI spec");
        }

        if (_containers.ContainsKey(create.ContainerId))
        {
            throw new RuntimeException(StatusCode.AlreadyExists, $"container {create.ContainerId} already exists");
        }

        // Layers are copied and checked by PrepareAsync, outside the dispatcher's state gate; nothing here reads a layer source.
        Dictionary<string, string>? prepared = null;
        if (NeedsPreparation(create) && !_prepared.TryGetValue(create, out prepared))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"container {create.ContainerId}: its layer storages were not prepared (checked) before the create");
        }

        _prepared.Remove(create);
        var unpacked = MountsLayers ? prepared ?? [] : null;

        // Volumes after the layers: a create refused for a bad layer sets nothing up.
        await _storages.ApplyAsync(create.Storages, nameof(CreateContainerRequest), cancellationToken).ConfigureAwait(false);

        var bundle = Path.Combine(options.StateDirectory, SafeName(create.ContainerId));
        var rootfs = Path.Combine(bundle, "rootfs");
        OciBundleWriter.Write(bundle, create.OCI, rootfs);
        var mounted = unpacked is not null && OverlayRootfs.Find(create) is { } overlay
            ? MountRootfs(overlay, unpacked, rootfs, bundle)
            : null;
        var pause = create.OCI.Annotations.TryGetValue(ContainerTypeAnnotation, out var type) && type == "sandbox";
        if (!_containers.TryAdd(create.ContainerId, new ContainerRecord(create.ContainerId, bundle, create.OCI, pause) { MountedRootfs = mounted }))
        {
            DeleteBundle(bundle, mounted);
            throw new RuntimeException(StatusCode.AlreadyExists, $"container {create.ContainerId} already exists");
        }
    }

    private async Task<Dictionary<string, string>> UnpackLayersAsync(CreateContainerRequest create, IReadOnlyList<LayerSource> sources, CancellationToken cancellationToken)
    {
        if (MountSupport.MissingForLayerMounts is { } missing)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"container {create.ContainerId}: layer mounts are required but this machine cannot make them: {missing}");
        }

        var store = LazyInitializer.EnsureInitialized(ref _layerStore, () => new LayerStore(options, MountSupport));
        var unpacked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            unpacked[source.LayerId] = await store.UnpackAsync(source, cancellationToken).ConfigureAwait(false);
        }

        return unpacked;
    }

    private static string MountRootfs(Storage overlay, Dictionary<string, string> unpacked, string rootfs, string bundle)
    {
        try
        {
            OverlayRootfs.Mount(overlay, unpacked, rootfs, bundle);
            return rootfs;
        }
        catch
        {
            DeleteBundle(bundle, mountedRootfs: null);
            throw;
        }
    }

    private async Task StartAsync(ContainerRecord container, CancellationToken cancellationToken)
    {
        var startInfo = InitProcess(container);
        if (startInfo is null)
        {
            return;
        }

        var process = ChildProcess.Start(startInfo, $"start container {container.Id}", PidFile(container, container.Id));
        if (!container.Processes.TryAdd(container.Id, process))
        {
            process.Dispose();
            throw new RuntimeException(StatusCode.AlreadyExists, $"container {container.Id} is already running");
        }

        await StartedAsync(container, cancellationToken).ConfigureAwait(false);
    }

    private void Exec(ExecProcessRequest exec)
    {
        var container = Find(exec.ContainerId);
        if (exec.Process is null)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, "ExecProcessRequest without a process");
        }

        var key = container.ExecKey(exec.ExecId);
        var process = ChildProcess.Start(ExecProcess(container, key, exec.Process), $"exec {key} in {container.Id}", PidFile(container, key));
        if (!container.Processes.TryAdd(key, process))
        {
            process.Dispose();
            throw new RuntimeException(StatusCode.AlreadyExists, $"exec id {key} is already in use in container {container.Id}");
        }
    }

    private async Task<WaitProcessResponse> WaitAsync(WaitProcessRequest wait, CancellationToken cancellationToken)
    {
        var container = Find(wait.ContainerId);
        var key = container.ExecKey(wait.ExecId);
        if (!container.Processes.TryGetValue(key, out var process))
        {
            return container.IsSandboxPause && key == container.Id
                ? new WaitProcessResponse { Status = 0 }
                : throw new RuntimeException(StatusCode.NotFound, $"no process {key} in container {container.Id}");
        }

        var status = await process.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (key != container.Id)
        {
            container.Processes.TryRemove(key, out _);
        }

        return new WaitProcessResponse { Status = status };
    }

    private async Task<ReadStreamResponse> ReadAsync(AgentMethod method, ReadStreamRequest read, CancellationToken cancellationToken)
    {
        var process = ProcessOf(read.ContainerId, read.ExecId)!;
        var buffer = method.Name == "ReadStderr" ? process.Stderr : process.Stdout;
        var data = await buffer.ReadAsync((int)Math.Clamp(read.Len, 1u, 1u << 20), cancellationToken).ConfigureAwait(false)
            ?? throw new RuntimeException(StatusCode.OutOfRange, $"end of {method.Name} for {read.ContainerId}");
        return new ReadStreamResponse { Data = ByteString.CopyFrom(data) };
    }

    private async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        // The runtime lets go of the container first: if it cannot, the container stays, as the policy state does.
        // An OOM kill since the last look is reported before the cgroup goes.
        var removing = Find(id);
        _oomEvents.Forget(id);
        await RemovingAsync(removing, cancellationToken).ConfigureAwait(false);
        if (!_containers.TryRemove(id, out var container))
        {
            throw new RuntimeException(StatusCode.NotFound, $"container {id} does not exist");
        }

        foreach (var process in container.Processes.Values)
        {
            process.Dispose();
        }

        DeleteBundle(container.Bundle, container.MountedRootfs);
    }

    private static void DeleteBundle(string bundle, string? mountedRootfs)
    {
        try
        {
            if (mountedRootfs is not null)
            {
                LinuxFileSystem.Unmount(mountedRootfs);
            }

            Directory.Delete(bundle, recursive: true);
        }
        catch (IOException)
        {
            // A bundle that cannot be removed does not keep the container alive.
        }
    }

    private ContainerRecord Find(string id) =>
        _containers.TryGetValue(id, out var container) ? container : throw new RuntimeException(StatusCode.NotFound, $"container {id} does not exist");

    private ChildProcess? ProcessOf(string containerId, string execId, bool allowMissing = false)
    {
        var container = Find(containerId);
        var key = container.ExecKey(execId);
        return container.Processes.TryGetValue(key, out var process) || allowMissing
            ? process
            : throw new RuntimeException(StatusCode.NotFound, $"no process {key} in container {containerId}");
    }

    /// <summary>The id itself when it can name a file: 1-128 letters, digits, '-', '_' or '.', not starting with '.'.</summary>
    private protected static string SafeName(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id[0] != '.'
            ? id
            : throw new RuntimeException(StatusCode.InvalidArgument, $"container id '{id}' is not 1-128 letters, digits, '-', '_' or '.' not starting with '.'");

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var id in _containers.Keys)
        {
            try
            {
                await RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RuntimeException)
            {
                // Removed concurrently.
            }
        }

        try
        {
            _layerStore?.Clear();
        }
        catch (IOException)
        {
            // Unpacked layers left behind are only files in the state directory.
        }

        await _storages.ClearAsync().ConfigureAwait(false);
        _oomEvents.Dispose();
        GC.SuppressFinalize(this);
    }
}
