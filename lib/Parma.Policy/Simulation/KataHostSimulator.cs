using System.Text;
using System.Text.Json.Nodes;
using Parma.Policy.Generation;
using Parma.Policy.Settings;

namespace Parma.Policy.Simulation;

/// <summary>
/// The requests a correct Kata host (kubelet → containerd → kata shim) sends the agent for a
/// planned pod, in Kata's JSON shape. Used to pre-flight pods against a policy, to test policies,
/// and to write replay traces. Random runtime ids are derived from a seed so that runs repeat.
/// Block emptyDirs arrive as a Kata host with emptydir_mode block-encrypted (or block-plain) sends
/// them: a virtio-blk disk per volume, by default at PCI paths 02/00, 03/00, … in order of the volumes
/// (<paramref name="blockDevices"/> names others: a test VM's slots).
/// </summary>
public sealed class KataHostSimulator(PolicySettings settings, PodPlan pod, string seed = "parma", IReadOnlyDictionary<string, string>? blockDevices = null)
{
    public SandboxIdentity Sandbox { get; } = new(
        ConcretePodName(pod, seed),
        SimulatedIds.Hex(seed + "/sandbox", 64),
        SimulatedIds.Uuid(seed + "/uid"))
    {
        BlockDevices = blockDevices ?? DefaultBlockDevices(pod),
    };

    /// <summary>The block emptyDir volumes of the pod, in the order its containers name them.</summary>
    public static IReadOnlyList<string> BlockVolumes(PodPlan pod) =>
        [.. pod.Containers.SelectMany(c => c.Mounts.Storages).Select(s => s.Source).OfType<BlockDeviceSource>().Select(b => b.Volume).Distinct(StringComparer.Ordinal)];

    private static Dictionary<string, string> DefaultBlockDevices(PodPlan pod) =>
        BlockVolumes(pod).Select((volume, i) => (volume, i)).ToDictionary(p => p.volume, p => $"{2 + p.i:x2}/00", StringComparer.Ordinal);

    public string ContainerId(ContainerPlan container) =>
        container.Role == ContainerRole.Pause ? Sandbox.SandboxId : SimulatedIds.Hex($"{seed}/{container.Name}", 64);

    /// <summary>Sandbox creation, then create and start for every container, pause first.</summary>
    public IReadOnlyList<AgentRequest> StartPod()
    {
        var requests = new List<AgentRequest> { new("CreateSandboxRequest", CreateSandbox(), "create the sandbox") };
        foreach (var container in pod.Containers)
        {
            requests.Add(new AgentRequest("CreateContainerRequest", CreateContainer(container), $"create container {container.Name}"));
            requests.Add(new AgentRequest("StartContainerRequest", new JsonObject { ["container_id"] = ContainerId(container) }, $"start container {container.Name}"));
        }

        return requests;
    }

    /// <summary>Probe execs, a signal, a wait and the removal of every container, as a pod's life goes on and ends.</summary>
    public IReadOnlyList<AgentRequest> RunAndStopPod()
    {
        var requests = new List<AgentRequest>();
        foreach (var container in pod.Containers)
        {
            foreach (var command in container.Exec.Commands)
            {
                requests.Add(new AgentRequest("ExecProcessRequest", ExecProcess(container, command), $"exec {string.Join(' ', command)} in {container.Name}"));
            }
        }

        foreach (var container in pod.Containers.Reverse())
        {
            var id = ContainerId(container);
            requests.Add(new AgentRequest("SignalProcessRequest", new JsonObject { ["container_id"] = id, ["exec_id"] = id, ["signal"] = 15 }, $"stop {container.Name}"));
            requests.Add(new AgentRequest("WaitProcessRequest", new JsonObject { ["container_id"] = id, ["exec_id"] = id }, $"wait for {container.Name}"));
            requests.Add(new AgentRequest("RemoveContainerRequest", new JsonObject { ["container_id"] = id, ["timeout"] = 0 }, $"remove {container.Name}"));
        }

        return requests;
    }

    public JsonObject CreateSandbox() => new()
    {
        ["dns"] = new JsonArray(),
        ["guest_hook_path"] = string.Empty,
        ["hostname"] = string.Empty,
        ["kernel_modules"] = new JsonArray(),
        ["sandbox_id"] = Sandbox.SandboxId,
        ["sandbox_pidns"] = pod.ShareProcessNamespace,
        ["storages"] = new JsonArray(settings.Runtime.SandboxStorages.Select(s => (JsonNode)new JsonObject
        {
            ["driver"] = s.Driver,
            ["driver_options"] = new JsonArray(),
            ["fs_group"] = null,
            ["fstype"] = s.Fstype,
            ["mount_point"] = new SettingsPatternSource(s.MountPoint).Example(settings, Sandbox, Sandbox.SandboxId),
            ["options"] = new JsonArray("noexec", "nosuid", "nodev", "mode=1777", "size=67108864"),
            ["source"] = new SettingsPatternSource(s.Source).Example(settings, Sandbox, Sandbox.SandboxId),
        }).ToArray()),
    };

    public JsonObject CreateContainer(ContainerPlan container)
    {
        var id = ContainerId(container);
        var rootPath = $"{settings.Runtime.Cpath}/{id}/rootfs";
        return new JsonObject
        {
            ["OCI"] = new JsonObject
            {
                ["Annotations"] = Annotations(container, id),
                ["Hooks"] = null,
                ["Hostname"] = string.Empty,
                ["Linux"] = Linux(container, id),
                ["Mounts"] = new JsonArray(container.Mounts.Mounts.Select(m => (JsonNode)new JsonObject
                {
                    ["destination"] = m.Destination,
                    ["options"] = JsonArrays.Of(m.Options),
                    ["source"] = m.Source.Example(settings, Sandbox, id),
                    ["type_"] = m.Type,
                }).ToArray()),
                ["Process"] = Process(container, container.Args),
                ["Root"] = new JsonObject { ["Path"] = rootPath, ["Readonly"] = container.ReadOnlyRoot },
                ["Version"] = settings.Runtime.OciVersion,
            },
            ["container_id"] = id,
            ["devices"] = new JsonArray(),
            ["exec_id"] = id,
            ["sandbox_pidns"] = pod.ShareProcessNamespace,
            ["shared_mounts"] = new JsonArray(),
            ["stderr_port"] = 0,
            ["stdin_port"] = 0,
            ["stdout_port"] = 0,
            ["storages"] = Storages(container, id, rootPath),
            ["string_user"] = null,
        };
    }

    public JsonObject ExecProcess(ContainerPlan container, IReadOnlyList<string> args) => new()
    {
        ["container_id"] = ContainerId(container),
        ["exec_id"] = SimulatedIds.Hex($"{seed}/exec/{container.Name}/{string.Join(' ', args)}", 32),
        ["process"] = Process(container, args),
        ["string_user"] = null,
    };

    private JsonObject Process(ContainerPlan container, IReadOnlyList<string> args) => new()
    {
        ["ApparmorProfile"] = string.Empty,
        ["Args"] = JsonArrays.Of(args),
        ["Capabilities"] = container.Capabilities.ToJson(),
        ["ConsoleSize"] = null,
        ["Cwd"] = container.Cwd,
        ["Env"] = JsonArrays.Of(Environment(container)),
        ["NoNewPrivileges"] = container.NoNewPrivileges,
        ["OOMScoreAdj"] = 1000,
        ["Rlimits"] = new JsonArray(),
        ["SelinuxLabel"] = string.Empty,
        ["Terminal"] = container.Terminal,
        ["User"] = new JsonObject
        {
            ["AdditionalGids"] = new JsonArray(container.User.AdditionalGids.Select(g => (JsonNode)g).ToArray()),
            ["GID"] = container.User.Gid,
            ["UID"] = container.User.Uid,
            ["Username"] = string.Empty,
        },
    };

    /// <summary>The exact entries, a value for each pattern-only variable, and the service links the kubelet injects.</summary>
    private List<string> Environment(ContainerPlan container)
    {
        var env = new List<string>(container.Env.Exact);
        foreach (var pattern in container.Env.Patterns)
        {
            env.Add(ValueFor(pattern));
        }

        if (container.Role != ContainerRole.Pause)
        {
            env.Add("KUBERNETES_SERVICE_HOST=10.96.0.1");
            env.Add("KUBERNETES_SERVICE_PORT=443");
            env.Add("KUBERNETES_PORT=tcp://10.96.0.1:443");
        }

        return env;
    }

    /// <summary>A NAME=value entry that matches an env pattern of the form ^NAME=…$.</summary>
    private string ValueFor(string pattern)
    {
        var eq = pattern.IndexOf('=', StringComparison.Ordinal);
        var name = RegexText.TryUnescapeLiteral(pattern[..eq] + "$", out var literal) ? literal : pattern[1..eq];
        string[] candidates = [Sandbox.PodName, "10.244.1.7", "node-1", "1", Sandbox.PodUid, "value"];
        foreach (var candidate in candidates)
        {
            var entry = $"{name}={candidate}";
            if (System.Text.RegularExpressions.Regex.IsMatch(entry, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            {
                return entry;
            }
        }

        throw new InvalidOperationException($"No example value matches the env pattern {pattern}.");
    }

    private JsonObject Annotations(ContainerPlan container, string id)
    {
        var annotations = new JsonObject
        {
            ["io.katacontainers.pkg.oci.bundle_path"] = $"/run/containerd/io.containerd.runtime.v2.task/k8s.io/{id}",
            ["io.kubernetes.cri.sandbox-id"] = Sandbox.SandboxId,
            ["io.kubernetes.cri.sandbox-name"] = Sandbox.PodName,
            ["io.kubernetes.cri.sandbox-namespace"] = pod.Namespace,
            ["io.kubernetes.cri.sandbox-uid"] = Sandbox.PodUid,
        };
        if (container.Role == ContainerRole.Pause)
        {
            annotations["io.katacontainers.pkg.oci.container_type"] = "pod_sandbox";
            annotations["io.kubernetes.cri.container-type"] = "sandbox";
            annotations["io.kubernetes.cri.sandbox-log-directory"] = $"/var/log/pods/{pod.Namespace}_{Sandbox.PodName}_{Sandbox.PodUid}";
        }
        else
        {
            annotations["io.katacontainers.pkg.oci.container_type"] = "pod_container";
            annotations["io.kubernetes.cri.container-name"] = container.Name;
            annotations["io.kubernetes.cri.container-type"] = "container";
            annotations["io.kubernetes.cri.image-name"] = container.Image.PinnedReference;
        }

        return annotations;
    }

    private JsonObject Linux(ContainerPlan container, string id) => new()
    {
        ["CgroupsPath"] = $"kubepods-besteffort-pod{Sandbox.PodUid.Replace('-', '_')}.slice:cri-containerd:{id}",
        ["Devices"] = new JsonArray(),
        ["GIDMappings"] = new JsonArray(),
        ["IntelRdt"] = null,
        ["MaskedPaths"] = container.Privileged ? new JsonArray() : JsonArrays.Of(settings.MaskedPaths),
        ["MountLabel"] = string.Empty,
        ["Namespaces"] = new JsonArray(settings.Runtime.Namespaces.Select(n => (JsonNode)new JsonObject { ["Path"] = string.Empty, ["Type"] = n }).ToArray()),
        ["ReadonlyPaths"] = container.Privileged ? new JsonArray() : JsonArrays.Of(settings.ReadonlyPaths),
        ["Resources"] = new JsonObject { ["CPU"] = new JsonObject { ["Period"] = 100000, ["Quota"] = 0, ["Shares"] = 2 } },
        ["RootfsPropagation"] = string.Empty,
        ["Seccomp"] = null,
        ["Sysctl"] = new JsonObject(container.Sysctls.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["UIDMappings"] = new JsonArray(),
    };

    private JsonArray Storages(ContainerPlan container, string id, string rootPath)
    {
        var storages = new JsonArray();
        if (container.VerifyLayers)
        {
            var layers = LayerIds.TopMostFirst(container.Image);
            foreach (var (layerId, rootHash, _) in layers)
            {
                storages.Add(new JsonObject
                {
                    ["driver"] = "blk",
                    ["driver_options"] = new JsonArray(),
                    ["fs_group"] = null,
                    ["fstype"] = "tar",
                    ["mount_point"] = $"{settings.Runtime.LayersPath}/{layerId}",
                    ["options"] = new JsonArray("ro", "io.katacontainers.fs-opt.block_device=file", "io.katacontainers.fs-opt.is-layer", $"io.katacontainers.fs-opt.root-hash={rootHash}"),
                    ["source"] = $"{settings.Runtime.LayerSrcPrefix}/{layerId}",
                });
            }

            var options = new JsonArray { $"io.katacontainers.fs-opt.layer-src-prefix={settings.Runtime.LayerSrcPrefix}" };
            foreach (var (layerId, rootHash, _) in layers)
            {
                var value = $"{layerId},tar,ro,io.katacontainers.fs-opt.block_device=file,io.katacontainers.fs-opt.is-layer,io.katacontainers.fs-opt.root-hash={rootHash}";
                options.Add("io.katacontainers.fs-opt.layer=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            }

            options.Add("io.katacontainers.fs-opt.overlay-rw");
            options.Add("lowerdir=" + string.Join(':', layers.Select(l => l.Id)));
            storages.Add(new JsonObject
            {
                ["driver"] = "overlayfs",
                ["driver_options"] = new JsonArray(),
                ["fs_group"] = null,
                ["fstype"] = "fuse3.kata-overlay",
                ["mount_point"] = rootPath,
                ["options"] = options,
                ["source"] = "none",
            });
        }

        foreach (var storage in container.Mounts.Storages)
        {
            storages.Add(new JsonObject
            {
                // A block volume's disk is attached as virtio-blk.
                ["driver"] = storage.Driver == PlannedStorage.BlockDriver ? "blk" : storage.Driver,
                ["driver_options"] = JsonArrays.Of(storage.DriverOptions),
                ["fs_group"] = storage.FsGroupJson(),
                ["fstype"] = storage.Fstype,
                ["mount_point"] = storage.MountPoint.Example(settings, Sandbox, id),
                ["options"] = JsonArrays.Of(storage.Options),
                ["shared"] = storage.Shared,
                ["source"] = storage.Source.Example(settings, Sandbox, id),
            });
        }

        return storages;
    }

    private static string ConcretePodName(PodPlan pod, string seed)
    {
        var name = pod.Workload.Name;
        var suffix = SimulatedIds.Alphanumeric(seed + "/pod", 5);
        return (pod.Workload.Kind, pod.Workload.Naming) switch
        {
            (_, Input.PodNaming.Exact) => name,
            (_, Input.PodNaming.Ordinal) => $"{name}-0",
            (_, Input.PodNaming.CronJob) => $"{name}-29000000-{suffix}",
            ("Deployment" or "ConfidentialPodGroup", _) => $"{name}-{SimulatedIds.Alphanumeric(seed + "/rs", 10)}-{suffix}",
            _ => $"{name}-{suffix}",
        };
    }
}
