using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// Writes an OCI runtime bundle: config.json in the runtime-spec's field names (Kata's protobuf
/// Spec uses Go-style names) and the root directory the runtime will start the container in.
/// </summary>
public static partial class OciBundleWriter
{
    [GeneratedRegex("^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")]
    private static partial Regex CpuList();

    [GeneratedRegex("^[0-9]+[KMGT]B$")]
    private static partial Regex PageSize();

    public static string Write(string bundle, Spec spec, string rootfs)
    {
        var config = ToRuntimeSpec(spec, rootfs).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        Directory.CreateDirectory(bundle);
        Directory.CreateDirectory(rootfs);
        var path = Path.Combine(bundle, "config.json");
        File.WriteAllText(path, config);
        return path;
    }

    public static JsonObject ToRuntimeSpec(Spec spec, string rootfs)
    {
        var config = new JsonObject
        {
            ["ociVersion"] = spec.Version,
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = spec.Root?.Readonly ?? false },
            ["hostname"] = spec.Hostname,
            ["mounts"] = new JsonArray(spec.Mounts.Select(m => (JsonNode)new JsonObject
            {
                ["destination"] = m.Destination,
                ["type"] = m.Type,
                ["source"] = m.Source,
                ["options"] = Strings(m.Options),
            }).ToArray()),
            ["annotations"] = new JsonObject(spec.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
        };
        if (spec.Process is { } process)
        {
            config["process"] = Process(process);
        }

        if (spec.Linux is { } linux)
        {
            config["linux"] = new JsonObject
            {
                ["namespaces"] = Namespaces(linux),
                ["maskedPaths"] = Strings(linux.MaskedPaths),
                ["readonlyPaths"] = Strings(linux.ReadonlyPaths),
                ["sysctl"] = new JsonObject(linux.Sysctl.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
                ["cgroupsPath"] = linux.CgroupsPath,
                ["rootfsPropagation"] = linux.RootfsPropagation.Length == 0 ? null : linux.RootfsPropagation,
                ["mountLabel"] = linux.MountLabel.Length == 0 ? null : linux.MountLabel,
                ["resources"] = Resources(linux.Resources, withDevices: true),
            };
        }

        return config;
    }

    /// <summary>
    /// The spec's namespaces, plus a PID namespace of the container's own when the spec has none, as
    /// kata-agent adds one: without it the container would see (and outlive) the guest's other
    /// processes, the agent's included, and its processes would survive its init.
    /// </summary>
    private static JsonArray Namespaces(Linux linux)
    {
        var namespaces = linux.Namespaces.Select(n => (JsonNode)new JsonObject { ["type"] = n.Type, ["path"] = n.Path.Length == 0 ? null : n.Path }).ToList();
        if (!linux.Namespaces.Any(n => n.Type == "pid"))
        {
            namespaces.Add(new JsonObject { ["type"] = "pid", ["path"] = null });
        }

        return new JsonArray([.. namespaces]);
    }

    /// <summary>A process in runtime-spec form (also the process.json of `runc exec`).</summary>
    public static JsonObject Process(Process process) => new()
    {
        ["terminal"] = process.Terminal,
        ["user"] = new JsonObject
        {
            ["uid"] = process.User?.UID ?? 0,
            ["gid"] = process.User?.GID ?? 0,
            ["additionalGids"] = new JsonArray((process.User?.AdditionalGids ?? []).Select(g => (JsonNode)g).ToArray()),
        },
        ["args"] = Strings(process.Args),
        ["env"] = Strings(process.Env),
        ["cwd"] = process.Cwd.Length == 0 ? "/" : process.Cwd,
        ["capabilities"] = process.Capabilities is { } c
            ? new JsonObject
            {
                ["bounding"] = Strings(c.Bounding),
                ["effective"] = Strings(c.Effective),
                ["inheritable"] = Strings(c.Inheritable),
                ["permitted"] = Strings(c.Permitted),
                ["ambient"] = Strings(c.Ambient),
            }
            : null,
        ["noNewPrivileges"] = process.NoNewPrivileges,
        ["oomScoreAdj"] = process.OOMScoreAdj,
        ["rlimits"] = new JsonArray(process.Rlimits.Select(r => (JsonNode)new JsonObject { ["type"] = r.Type, ["hard"] = r.Hard, ["soft"] = r.Soft }).ToArray()),
    };

    /// <summary>
    /// The resource limits runc applies (runtime-spec form, also the input of `runc update --resources`):
    /// memory, CPU, pids and huge pages as the host asked (the host sizes the VM, so limits are its to
    /// choose), and, when creating, a device cgroup that denies every device beyond runc's standard
    /// /dev nodes: device rules the host sends are ignored, since they could open the guest's disks to
    /// a container. Proto3 zeros mean "not set" and are left out.
    /// </summary>
    public static JsonObject Resources(LinuxResources? resources, bool withDevices)
    {
        var json = new JsonObject();
        if (withDevices)
        {
            json["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" });
        }

        if (resources is null)
        {
            return json;
        }

        if (resources.Memory is { } memory)
        {
            AddSection(json, "memory", ("limit", memory.Limit), ("reservation", memory.Reservation), ("swap", memory.Swap));
        }

        if (resources.CPU is { } cpu)
        {
            var section = AddSection(json, "cpu", ("shares", (long)cpu.Shares), ("quota", cpu.Quota), ("period", (long)cpu.Period));
            foreach (var (name, list) in new[] { ("Cpus", cpu.Cpus), ("Mems", cpu.Mems) })
            {
                if (list.Length > 0 && !CpuList().IsMatch(list))
                {
                    throw new RuntimeException(StatusCode.InvalidArgument, $"resources.CPU.{name} '{list}' is not a list of numbers and ranges");
                }
            }

            if (cpu.Cpus.Length > 0 || cpu.Mems.Length > 0)
            {
                section ??= (JsonObject)(json["cpu"] = new JsonObject());
                if (cpu.Cpus.Length > 0)
                {
                    section["cpus"] = cpu.Cpus;
                }

                if (cpu.Mems.Length > 0)
                {
                    section["mems"] = cpu.Mems;
                }
            }
        }

        if (resources.Pids is { Limit: not 0 } pids)
        {
            json["pids"] = new JsonObject { ["limit"] = pids.Limit };
        }

        // The page size names a cgroup file (hugetlb.<size>.limit_in_bytes): nothing but a size may get there.
        if (resources.HugepageLimits.FirstOrDefault(h => !PageSize().IsMatch(h.Pagesize)) is { } bad)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"resources.HugepageLimits: '{bad.Pagesize}' is not a page size such as 2MB");
        }

        if (resources.HugepageLimits.Count > 0)
        {
            json["hugepageLimits"] = new JsonArray(resources.HugepageLimits.Select(h => (JsonNode)new JsonObject { ["pageSize"] = h.Pagesize, ["limit"] = h.Limit }).ToArray());
        }

        return json;
    }

    private static JsonObject? AddSection(JsonObject json, string name, params (string Key, long Value)[] values)
    {
        var set = values.Where(v => v.Value != 0).ToList();
        if (set.Count == 0)
        {
            return null;
        }

        var section = new JsonObject(set.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));
        json[name] = section;
        return section;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
