using System.Text.Json.Nodes;
using Parma.Policy.Input;
using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>The mounts and volume storages of one container.</summary>
public sealed record ContainerMounts(IReadOnlyList<PlannedMount> Mounts, IReadOnlyList<PlannedStorage> Storages);

/// <summary>
/// Works out a container's mounts as the kubelet and the Kata shim set them up: the OCI defaults,
/// what the kubelet adds (hosts, hostname, resolv.conf, termination log, /dev/shm, service-account
/// token) and the pod's volumes. Disk-backed emptyDirs follow the nodes' Kata emptydir_mode
/// (<see cref="EmptyDirMode"/>): by default a disk the guest encrypts, mounted in the guest and bound
/// into the container from there.
/// </summary>
internal sealed class MountBuilder(PolicySettings settings, Workload workload, EmptyDirMode emptyDirMode = EmptyDirMode.BlockEncrypted)
{
    private const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static readonly IReadOnlyList<string> ReadWriteBind = ["rbind", "rprivate", "rw"];
    private static readonly IReadOnlyList<string> ReadOnlyBind = ["rbind", "rprivate", "ro"];
    private static readonly PlannedMount Shm = new("/dev/shm", "bind", new LiteralSource("/run/kata-containers/sandbox/shm"), ["rbind"]);

    private IEnumerable<PlannedMount> OciDefaults() =>
        settings.OciMounts.Select(m => new PlannedMount(m.Destination, m.Type, new SettingsPatternSource(m.Source), m.Options));

    public ContainerMounts ForPause() => new([.. OciDefaults(), Shm], []);

    public ContainerMounts ForContainer(JsonObject container)
    {
        var mounts = new List<PlannedMount>(OciDefaults());
        var storages = new List<PlannedStorage>();
        var volumes = workload.Spec.Objects("volumes").ToDictionary(v => v.Str("name") ?? string.Empty, StringComparer.Ordinal);
        var destinations = new HashSet<string>(StringComparer.Ordinal);

        foreach (var volumeMount in container.Objects("volumeMounts"))
        {
            var name = volumeMount.Str("name") ?? string.Empty;
            var path = volumeMount.Str("mountPath") ?? throw new PolicyInputException($"{workload.Kind} {workload.Name}: volumeMount {name} has no mountPath.");
            if (!volumes.TryGetValue(name, out var volume))
            {
                throw new PolicyInputException($"{workload.Kind} {workload.Name}: volumeMount {name} names no volume of the pod.");
            }

            if (!destinations.Add(path))
            {
                throw new PolicyInputException($"{workload.Kind} {workload.Name}: two volumes are mounted at {path}.");
            }

            AddVolume(mounts, storages, volume, name, path, volumeMount.Bool("readOnly") ?? false);
        }

        AddSharedFile(mounts, destinations, "/etc/hosts", "hosts");
        AddSharedFile(mounts, destinations, container.Str("terminationMessagePath") ?? "/dev/termination-log", "termination-log");
        AddSharedFile(mounts, destinations, "/etc/hostname", "hostname");
        AddSharedFile(mounts, destinations, "/etc/resolv.conf", "resolv.conf");
        if (destinations.Add("/dev/shm"))
        {
            mounts.Add(Shm);
        }

        if (workload.Spec.Bool("automountServiceAccountToken") != false && destinations.Add(ServiceAccountPath))
        {
            mounts.Add(new PlannedMount(ServiceAccountPath, "bind", new SharedFileSource("serviceaccount"), ReadOnlyBind));
        }

        return new ContainerMounts(mounts, storages);
    }

    /// <summary>The pod's fsGroup, which the kata shim sends as a block volume's fs_group when it is not root.</summary>
    private uint? FsGroup() => workload.Spec.Obj("securityContext").Int("fsGroup") switch
    {
        null or 0 => null,
        > 0 and <= uint.MaxValue and var group => (uint)group,
        var other => throw new PolicyInputException($"{workload.Kind} {workload.Name}: securityContext.fsGroup {other} is not a group id (0 to {uint.MaxValue})."),
    };

    private static void AddSharedFile(List<PlannedMount> mounts, HashSet<string> destinations, string destination, string name)
    {
        if (destinations.Add(destination))
        {
            mounts.Add(new PlannedMount(destination, "bind", new SharedFileSource(name, IsFile: true), ReadWriteBind));
        }
    }

    /// <summary>
    /// The kubelet gives emptyDir volumes the pod's fsGroup, and Kata's shim then asks the agent for the
    /// same group with an fsgid= option (only for a group other than root).
    /// </summary>
    private IEnumerable<string> FsGroupOptions()
    {
        if (FsGroup() is { } fsGroup)
        {
            yield return $"fsgid={fsGroup}";
        }
    }

    private void AddVolume(List<PlannedMount> mounts, List<PlannedStorage> storages, JsonObject volume, string name, string path, bool readOnly)
    {
        var bindOptions = readOnly ? ReadOnlyBind : ReadWriteBind;
        if (volume.Obj("emptyDir") is { } emptyDir)
        {
            if (emptyDir.Str("medium") == "Memory")
            {
                var tmpfs = new LiteralSource($"/run/kata-containers/sandbox/ephemeral/{name}");
                storages.Add(new PlannedStorage("ephemeral", "tmpfs", new LiteralSource("tmpfs"), tmpfs, [.. FsGroupOptions()]));
                mounts.Add(new PlannedMount(path, "bind", tmpfs, bindOptions));
                return;
            }

            if (emptyDirMode == EmptyDirMode.SharedFs)
            {
                var local = new SandboxLocalSource(name);
                storages.Add(new PlannedStorage("local", "local", new LiteralSource("local"), local, ["mode=0777", .. FsGroupOptions()]));
                mounts.Add(new PlannedMount(path, "bind", local, bindOptions));
                return;
            }

            var mountPoint = new BlockStorageMountPoint(name);
            var encrypted = emptyDirMode == EmptyDirMode.BlockEncrypted;
            storages.Add(new PlannedStorage(PlannedStorage.BlockDriver, "ext4", new BlockDeviceSource(name), mountPoint, encrypted ? [] : ["discard"])
            {
                DriverOptions = encrypted ? ["encryption_key=ephemeral", "create_filesystem"] : ["create_filesystem"],
                Shared = true,
                FsGroup = FsGroup(),
            });
            mounts.Add(new PlannedMount(path, "bind", mountPoint, bindOptions));
            return;
        }

        if (volume.Obj("configMap") is not null || volume.Obj("secret") is not null || volume.Obj("projected") is not null
            || volume.Obj("downwardAPI") is not null)
        {
            // The kubelet always mounts these read-only.
            mounts.Add(new PlannedMount(path, "bind", new SharedFileSource(name), ReadOnlyBind));
            return;
        }

        var type = volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "unknown";
        throw new PolicyInputException(
            $"{workload.Kind} {workload.Name}: volume {name} of type {type} is not supported in a confidential pod (supported: emptyDir, configMap, secret, projected, downwardAPI).");
    }
}
