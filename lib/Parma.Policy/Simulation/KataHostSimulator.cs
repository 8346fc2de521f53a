using System.Text;
using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
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

    /// <summary>
    /// A pod's whole life as the host drives it: optionally the sandbox's network, then the sandbox, and
    /// for each container (pause first) the files the shim copies in for it, its creation and its start;
    /// then <see cref="RunAndStopPod"/>. This is what `parma policy simulate` prints.
    /// </summary>
    public IReadOnlyList<AgentRequest> PodLife(bool network = false)
    {
        var requests = new List<AgentRequest>();
        if (network)
        {
            requests.AddRange(SetUpNetwork());
        }

        requests.Add(new AgentRequest("CreateSandboxRequest", CreateSandbox(), "create the sandbox"));
        foreach (var container in pod.Containers)
        {
            requests.AddRange(CopyFiles(container));
            requests.Add(new AgentRequest("CreateContainerRequest", CreateContainer(container), $"create container {container.Name}"));
            requests.Add(new AgentRequest("StartContainerRequest", new JsonObject { ["container_id"] = ContainerId(container) }, $"start container {container.Name}"));
        }

        requests.AddRange(RunAndStopPod());
        return requests;
    }

    /// <summary>
    /// The network Kata's shim sets up before the sandbox, as a Calico-style CNI leaves it: eth0 with the
    /// pod's address, a link route to the gateway and a default route through it, and the gateway's
    /// permanent neighbour entry.
    /// </summary>
    public IReadOnlyList<AgentRequest> SetUpNetwork() =>
    [
        new("UpdateInterfaceRequest", UpdateInterface(), "set up eth0"),
        new("UpdateRoutesRequest", UpdateRoutes(), "add the pod's routes"),
        new("AddARPNeighborsRequest", AddArpNeighbors(), "add the gateway's neighbour entry"),
    ];

    public static JsonObject UpdateInterface() => new()
    {
        ["interface"] = new JsonObject
        {
            ["IPAddresses"] = new JsonArray(
                new JsonObject { ["address"] = "10.244.1.7", ["family"] = 0, ["mask"] = "32" },
                new JsonObject { ["address"] = "fd00:10:244:1::7", ["family"] = 1, ["mask"] = "128" }),
            ["device"] = "eth0",
            ["devicePath"] = string.Empty,
            ["hwAddr"] = "3a:5f:09:1c:6e:21",
            ["mtu"] = 1450,
            ["name"] = "eth0",
            ["raw_flags"] = 0,
            ["type_"] = "veth",
        },
    };

    public static JsonObject UpdateRoutes() => new()
    {
        ["routes"] = new JsonObject
        {
            ["Routes"] = new JsonArray(
                Route(dest: "169.254.1.1", gateway: string.Empty, source: string.Empty, scope: 253),
                Route(dest: string.Empty, gateway: "169.254.1.1", source: string.Empty, scope: 0)),
        },
    };

    private static JsonObject Route(string dest, string gateway, string source, int scope) => new()
    {
        ["dest"] = dest,
        ["device"] = "eth0",
        ["family"] = 0,
        ["flags"] = 0,
        ["gateway"] = gateway,
        ["mtu"] = 0,
        ["scope"] = scope,
        ["source"] = source,
    };

    public static JsonObject AddArpNeighbors() => new()
    {
        ["neighbors"] = new JsonObject
        {
            ["ARPNeighbors"] = new JsonArray(new JsonObject
            {
                ["device"] = "eth0",
                ["flags"] = 0,
                ["lladdr"] = "ee:ee:ee:ee:ee:ee",
                ["state"] = 128,
                ["toIPAddress"] = new JsonObject { ["address"] = "169.254.1.1", ["family"] = 0, ["mask"] = string.Empty },
            }),
        },
    };

    /// <summary>
    /// The single files (hosts, hostname, resolv.conf, termination log) Kata's shim copies into a
    /// confidential sandbox for a container, in kata-agent's policy form of CopyFile (no data: the
    /// simulated files are empty). Volume directories are not simulated.
    /// </summary>
    public IReadOnlyList<AgentRequest> CopyFiles(ContainerPlan container)
    {
        var id = ContainerId(container);
        return container.Mounts.Mounts
            .Where(m => m.Source is SharedFileSource { IsFile: true })
            .Select(m => new AgentRequest("CopyFileRequest", CopyFile(m.Source.Example(settings, Sandbox, id)), $"copy {m.Destination} for {container.Name}"))
            .ToList();
    }

    /// <summary>A regular file as Kata's shim sends it: the host file's mode (0644 with its type bits), directories made 0750.</summary>
    public static JsonObject CopyFile(string path) => new()
    {
        ["path"] = path,
        ["file_type"] = "Regular",
        ["symlink_target"] = null,
        ["file_size"] = 0,
        ["file_mode"] = RegularFileMode,
        ["dir_mode"] = DirectoryMode,
        ["uid"] = 0,
        ["gid"] = 0,
        ["offset"] = 0,
    };

    /// <summary>S_IFREG | 0644.</summary>
    public const int RegularFileMode = 0x8000 | 0x1A4;

    /// <summary>Go's os.ModeDir | 0750, which is what the shim puts in dir_mode.</summary>
    public const uint DirectoryMode = 0x80000000 | 0x1E8;

    /// <summary>Probe execs, a signal, a wait and the removal of every container, as a pod's life goes on and ends.</summary>
    public IReadOnlyList<AgentRequest> RunAndStopPod()
    {
        var requests = new List<AgentRequest>();
        foreach (var container in pod.Containers)
        {
            foreach (var command in container.Exec.ExactCommands)
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
            ["options"] = JsonArrays.Of(s.Options.Append($"size={Math.Min(s.SizeLimit, SandboxShmBytes)}")),
            ["source"] = new SettingsPatternSource(s.Source).Example(settings, Sandbox, Sandbox.SandboxId),
        }).ToArray()),
    };

    /// <summary>containerd's sandbox /dev/shm size, which Kata's shim passes on.</summary>
    private const long SandboxShmBytes = 64 << 20;

    /// <summary>The kubelet's hostname for the pod: the pod's name cut to 63 characters, or the name the pod sets itself.</summary>
    public string PodHostname =>
        pod.HostnamePattern is { } pattern
            ? RegexText.TryUnescapeLiteral(pattern, out var literal) ? literal : throw new InvalidOperationException($"No example hostname for the pattern {pattern}.")
            : Sandbox.PodName.Length <= 63 ? Sandbox.PodName : Sandbox.PodName[..63].TrimEnd('-', '.');

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
                ["Hostname"] = container.Role == ContainerRole.Pause ? PodHostname : string.Empty,
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

    /// <summary>
    /// The process containerd writes (and copies for an exec): the sandbox gets no AppArmor profile, the
    /// others the last one the policy allows (containerd's default, or the profile the pod asked for).
    /// </summary>
    private JsonObject Process(ContainerPlan container, IReadOnlyList<string> args) => new()
    {
        ["ApparmorProfile"] = container.Role == ContainerRole.Pause ? container.ApparmorProfiles[0] : container.ApparmorProfiles[^1],
        ["Args"] = JsonArrays.Of(args),
        ["Capabilities"] = container.Capabilities.ToJson(),
        ["ConsoleSize"] = null,
        ["Cwd"] = container.Cwd,
        ["Env"] = JsonArrays.Of(Environment(container)),
        ["NoNewPrivileges"] = container.NoNewPrivileges,
        ["OOMScoreAdj"] = container.OomScoreAdj.Max,
        ["Rlimits"] = new JsonArray(settings.Runtime.Rlimits.Select(r => (JsonNode)new JsonObject { ["Hard"] = r.Hard, ["Soft"] = r.Soft, ["Type"] = r.Type }).ToArray()),
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
        string[] candidates = [Sandbox.PodName, PodHostname, "10.244.1.7", "node-1", "1", Sandbox.PodUid, "value"];
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
        ["Resources"] = new JsonObject
        {
            ["CPU"] = new JsonObject { ["Period"] = container.Role == ContainerRole.Pause ? 0 : 100000, ["Quota"] = 0, ["Shares"] = 2 },
            ["Devices"] = new JsonArray(),
        },
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
