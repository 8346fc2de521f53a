using System.Globalization;

namespace Parma.Agent.Runtime.Cgroups;

/// <summary>
/// Where a container's cgroups are: its cgroup v2 directory, and its cgroup v1 directory per
/// controller (memory, cpuacct, pids, blkio, …) on a machine that still mounts v1 hierarchies.
/// Found from /proc/PID/cgroup of the container's process and the machine's cgroup mounts, so it
/// does not depend on how the runtime names cgroups.
/// </summary>
internal sealed class ContainerCgroup(string? unified, IReadOnlyDictionary<string, string> byController)
{
    public string? Unified { get; } = unified;

    public IReadOnlyDictionary<string, string> ByController { get; } = byController;

    /// <summary>The directory of a v1 controller, or null.</summary>
    public string? V1(string controller) => ByController.GetValueOrDefault(controller);

    /// <summary>The cgroup v2 directory when it has the memory controller (its memory.* files exist).</summary>
    public string? UnifiedWithMemory => Unified is not null && File.Exists(Path.Combine(Unified, "memory.events")) ? Unified : null;

    /// <summary>How many processes the kernel has killed in this cgroup for memory: v2 memory.events, else v1 memory.oom_control.</summary>
    public long OomKills()
    {
        if (UnifiedWithMemory is { } v2)
        {
            return KeyedValues(Path.Combine(v2, "memory.events")).GetValueOrDefault("oom_kill");
        }

        return V1("memory") is { } v1 ? KeyedValues(Path.Combine(v1, "memory.oom_control")).GetValueOrDefault("oom_kill") : 0;
    }

    /// <summary>The cgroups of process <paramref name="pid"/>, or null when it is gone.</summary>
    public static ContainerCgroup? OfProcess(int pid, string procRoot = "/proc")
    {
        string[] memberships;
        string[] mounts;
        try
        {
            memberships = File.ReadAllLines(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup"));
            mounts = File.ReadAllLines(Path.Combine(procRoot, "self", "mountinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var cgroupMounts = mounts.Select(CgroupMount.Parse).OfType<CgroupMount>().ToList();
        string? unified = null;
        var byController = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in memberships)
        {
            // hierarchy-id:controller-list:path
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                unified = cgroupMounts.FirstOrDefault(m => m.Version2)?.Resolve(parts[2]) ?? unified;
                continue;
            }

            foreach (var controller in parts[1].Split(','))
            {
                if (cgroupMounts.FirstOrDefault(m => !m.Version2 && m.Controllers.Contains(controller)) is { } mount && mount.Resolve(parts[2]) is { } directory)
                {
                    byController[controller] = directory;
                }
            }
        }

        return new ContainerCgroup(unified, byController);
    }

    /// <summary>A file of "key value" lines (memory.events, memory.stat, cpu.stat, memory.oom_control).</summary>
    public static Dictionary<string, long> KeyedValues(string path)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                values[parts[0]] = value;
            }
        }

        return values;
    }

    /// <summary>A cgroup file holding one number; "max" and missing files read as 0.</summary>
    public static ulong Number(string? directory, string file)
    {
        if (directory is null)
        {
            return 0;
        }

        var path = Path.Combine(directory, file);
        try
        {
            return File.Exists(path) && ulong.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>One cgroup mount of /proc/self/mountinfo: where it is, the cgroup path at its root, its controllers.</summary>
    private sealed record CgroupMount(string MountPoint, string Root, bool Version2, IReadOnlySet<string> Controllers)
    {
        public static CgroupMount? Parse(string line)
        {
            // id parent major:minor root mount-point options [optional fields] - fstype source super-options
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
            {
                return null;
            }

            var before = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (before.Length < 5 || after.Length < 3 || after[0] is not ("cgroup" or "cgroup2"))
            {
                return null;
            }

            var controllers = after[2].Split(',').ToHashSet(StringComparer.Ordinal);
            return new CgroupMount(Unescape(before[4]), Unescape(before[3]), after[0] == "cgroup2", controllers);
        }

        /// <summary>The directory of cgroup <paramref name="path"/> under this mount, or null when the mount does not show it.</summary>
        public string? Resolve(string path)
        {
            var root = Root.TrimEnd('/');
            if (root.Length > 0 && path != root && !path.StartsWith(root + "/", StringComparison.Ordinal))
            {
                return null;
            }

            return Path.Join(MountPoint, path[root.Length..]);
        }

        private static string Unescape(string field) => field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
    }
}
