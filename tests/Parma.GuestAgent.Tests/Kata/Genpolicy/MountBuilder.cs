using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>
/// A container's expected OCI mounts and agent storages the way genpolicy derives them: containerd's
/// default mounts, the settings' mounts, the pod's volumes (emptyDir by the cluster's emptydir_type,
/// configMap/secret, projected, persistent claims, hostPath, downward API) and the image's volumes.
/// </summary>
internal sealed class MountBuilder(GenpolicySettings settings, PodResource pod)
{
    public (List<KataMount> Mounts, JsonArray Storages) Build(JsonObject container, ImageFacts image, bool pause, bool privileged)
    {
        var mounts = ContainerdMounts(pause, privileged);
        AddSettingsMounts(mounts, container, pause);
        var storages = new JsonArray();
        foreach (var volume in pod.Spec.Objects("volumes"))
        {
            foreach (var mount in container.Objects("volumeMounts").Where(m => m.Str("name") == volume.Str("name")))
            {
                AddVolume(mounts, storages, volume, mount);
            }
        }

        foreach (var destination in image.Volumes)
        {
            AddImageVolume(mounts, destination);
        }

        return (mounts, storages);
    }

    private static List<KataMount> ContainerdMounts(bool pause, bool privileged)
    {
        var sysfs = privileged ? "rw" : "ro";
        var mounts = new List<KataMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", sysfs] },
        };
        if (!pause)
        {
            mounts.Add(new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", sysfs] });
        }

        return mounts;
    }

    private void AddSettingsMounts(List<KataMount> mounts, JsonObject container, bool pause)
    {
        var yamlMounts = container.Objects("volumeMounts").ToList();
        if (yamlMounts.Any(m => m["subPath"] is not null))
        {
            throw new NotSupportedException("Kata does not support volumeMounts.subPath");
        }

        var rootfsAccess = container.Obj("securityContext").Bool("readOnlyRootFilesystem") == true ? "ro" : "rw";
        foreach (var template in settings.Container(pause).Objects("Mounts"))
        {
            var settingsMount = KataMount.FromSettings(template);
            var keep = settings.MountDestinations.Contains(settingsMount.Destination) || yamlMounts.Any(m => m.Str("mountPath") == settingsMount.Destination);
            if (!keep)
            {
                continue;
            }

            var mount = settingsMount.Clone();
            if (mount.Destination == "/dev/termination-log" && container.Str("terminationMessagePath") is { } path)
            {
                mount.Destination = path;
            }

            if (mount.Source.Length == 0 && mount.Type == "bind" && FileName(mount.Destination) is { } file)
            {
                mount.Source = $"$(sfprefix){file}$";
            }

            if (mounts.Find(m => m.Destination == settingsMount.Destination) is { } existing)
            {
                existing.Type = mount.Type;
                existing.Source = mount.Source;
                existing.Options = [.. mount.Options];
            }
            else
            {
                if (!pause && settingsMount.Destination is "/etc/hostname" or "/etc/resolv.conf")
                {
                    mount.Options.Add(rootfsAccess);
                }

                mounts.Add(mount);
            }
        }
    }

    private void AddVolume(List<KataMount> mounts, JsonArray storages, JsonObject volume, JsonObject mount)
    {
        if (volume.Obj("emptyDir") is { } emptyDir)
        {
            AddEmptyDir(mounts, storages, emptyDir, mount);
        }
        else if (volume.Obj("persistentVolumeClaim") is not null || volume.Obj("azureFile") is not null)
        {
            SetSharedBind(mounts, mount, $"$(sfprefix){RustRegex.Escape(FileName(mount.Str("mountPath")!)!)}$", "rprivate", "rw");
        }
        else if (volume.Obj("hostPath") is { } hostPath)
        {
            AddHostPath(mounts, hostPath.Str("path")!, mount);
        }
        else if (volume.Obj("configMap") is not null || volume.Obj("secret") is not null)
        {
            AddConfigMap(mounts, storages, mount);
        }
        else if (volume.Obj("projected") is not null)
        {
            SetSharedBind(mounts, mount, $"$(sfprefix){RustRegex.Escape(FileName(mount.Str("mountPath")!)!)}$", "rprivate", "ro");
        }
        else if (volume.Obj("downwardAPI") is not null)
        {
            var path = mount.Str("mountPath")!;
            SetSharedBind(mounts, mount, $"$(sfprefix){path[(path.LastIndexOf('/') + 1)..]}$", "rprivate", "ro");
        }
        else
        {
            throw new NotSupportedException($"volume {volume.Str("name")}: a kind genpolicy does not support");
        }
    }

    private void AddEmptyDir(List<KataMount> mounts, JsonArray storages, JsonObject emptyDir, JsonObject mount)
    {
        var readOnly = mount.Bool("readOnly") == true;
        var emptyDirType = settings.ClusterConfig.Str("emptydir_type");
        var (kind, block) = emptyDir.Str("medium") == "Memory" ? ("emptyDir_memory", false)
            : emptyDirType switch
            {
                "block-encrypted" => ("emptyDir_encrypted", true),
                "block-plain" => ("emptyDir_plain", true),
                "shared-fs" => ("emptyDir", false),
                _ => throw new NotSupportedException($"emptydir_type {emptyDirType}"),
            };
        if (kind == "emptyDir")
        {
            var access = readOnly ? "ro" : "rw";
            var name = RustRegex.Escape(mount.Str("name")!);
            mounts.Add(Bind(mount, $"^$(cpath)/sandbox-[0-9a-f]{{16}}-{name}$", "rprivate", access));
            mounts.Add(Bind(mount, $"$(sfprefix){RustRegex.Escape(FileName(mount.Str("mountPath")!)!)}$", "rprivate", access));
            return;
        }

        var volume = settings.Volume(kind);
        var subPathExpr = mount["subPathExpr"] is not null;
        if (!subPathExpr)
        {
            var options = volume.Strings("options") ?? [];
            var fsGroup = pod.SecurityContext.Long("fsGroup");
            uint? storageGroup = null;
            if (block)
            {
                storageGroup = fsGroup is > 0 ? (uint)fsGroup.Value : null;
            }
            else if (fsGroup is { } gid && gid != 0)
            {
                options.Add($"fsgid={gid}");
            }

            var mountPoint = volume.Str("mount_point")!;
            storages.Add(AgentShapes.Storage(
                volume.Str("driver")!,
                volume.Strings("driver_options") ?? [],
                volume.Str("source")!,
                volume.Str("fstype")!,
                options,
                mountPoint.EndsWith('/') ? $"{mountPoint}{mount.Str("name")}$" : mountPoint,
                storageGroup,
                volume.Bool("shared") ?? false));
        }

        var mountSource = volume.Str("mount_source")!;
        var source = subPathExpr ? $"{settings.Volume("configMap").Str("mount_source")}{FileName(mount.Str("mountPath")!)}$"
            : mountSource.Length == 0 ? string.Empty
            : $"{mountSource}{mount.Str("name")}$";
        mounts.Add(new KataMount
        {
            Destination = mount.Str("mountPath")!,
            Type = subPathExpr ? "bind" : volume.Str("mount_type")!,
            Source = source,
            Options = ["rbind", "rprivate", readOnly ? "ro" : "rw"],
        });
    }

    private static void AddHostPath(List<KataMount> mounts, string hostPath, JsonObject mount)
    {
        var propagation = mount.Str("mountPropagation") == "Bidirectional" ? "rshared" : "rprivate";
        var access = mount.Bool("readOnly") == true ? "ro" : "rw";
        var source = hostPath.StartsWith("/dev/", StringComparison.Ordinal) || hostPath.StartsWith("/sys/", StringComparison.Ordinal)
            ? hostPath
            : $"$(sfprefix){RustRegex.Escape(FileName(mount.Str("mountPath")!)!)}$";
        SetSharedBind(mounts, mount, source, propagation, access);
    }

    private void AddConfigMap(List<KataMount> mounts, JsonArray storages, JsonObject mount)
    {
        var configMap = settings.Volume("configMap");
        var name = FileName(mount.Str("mountPath")!)!;
        if (settings.ConfigMapStorages)
        {
            storages.Add(AgentShapes.Storage(
                configMap.Str("driver")!,
                [],
                $"{configMap.Str("mount_source")}{name}$",
                configMap.Str("fstype")!,
                configMap.Strings("options") ?? [],
                $"{configMap.Str("mount_point")}{name}$",
                null,
                false));
        }

        mounts.Add(new KataMount
        {
            Destination = mount.Str("mountPath")!,
            Type = configMap.Str("mount_type")!,
            Source = $"{configMap.Str("mount_point")}{name}$",
            Options = configMap.Strings("options") ?? [],
        });
    }

    private void AddImageVolume(List<KataMount> mounts, string destination)
    {
        while (destination.Contains("//", StringComparison.Ordinal))
        {
            destination = destination.Replace("//", "/", StringComparison.Ordinal);
        }

        if (mounts.Any(m => m.Destination == destination))
        {
            return;
        }

        var image = settings.Volume("image_volume");
        mounts.Add(new KataMount
        {
            Destination = destination,
            Type = image.Str("fstype")!,
            Source = $"{image.Str("mount_source")}{FileName(destination)}$",
            Options = image.Strings("options") ?? [],
        });
    }

    private static KataMount Bind(JsonObject mount, string source, string propagation, string access) =>
        new() { Destination = mount.Str("mountPath")!, Type = "bind", Source = source, Options = ["rbind", propagation, access] };

    /// <summary>Replaces the mount at the same destination, or adds one.</summary>
    private static void SetSharedBind(List<KataMount> mounts, JsonObject mount, string source, string propagation, string access)
    {
        var bind = Bind(mount, source, propagation, access);
        if (mounts.Find(m => m.Destination == bind.Destination) is { } existing)
        {
            existing.Type = bind.Type;
            existing.Source = bind.Source;
            existing.Options = bind.Options;
        }
        else
        {
            mounts.Add(bind);
        }
    }

    /// <summary>The last component of a path, as Rust's Path::file_name gives it (trailing slashes ignored).</summary>
    private static string? FileName(string path)
    {
        var trimmed = path.TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        return name.Length == 0 || name == ".." ? null : name;
    }
}
