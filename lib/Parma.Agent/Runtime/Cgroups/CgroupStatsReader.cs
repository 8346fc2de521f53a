using System.Globalization;
using Parma.Agent.Protocol;

namespace Parma.Agent.Runtime.Cgroups;

/// <summary>
/// StatsContainer's answer from a container's cgroup files, as kata-agent fills it: CPU usage (total,
/// per CPU, user/kernel, throttling), memory (usage, peak, failures, limit, swap, kernel, memory.stat),
/// pids and block I/O bytes and operations. Cgroup v2 when the container's v2 group has the memory
/// controller, else the v1 controllers. Times are nanoseconds; "max" limits read as 0.
/// </summary>
internal static class CgroupStatsReader
{
    private const ulong NanosecondsPerTick = 10_000_000; // USER_HZ is 100 on Linux

    public static CgroupStats Read(ContainerCgroup cgroup) =>
        cgroup.UnifiedWithMemory is { } v2 ? ReadV2(v2) : ReadV1(cgroup);

    private static CgroupStats ReadV2(string directory)
    {
        var cpu = ContainerCgroup.KeyedValues(Path.Combine(directory, "cpu.stat"));
        var stat = ContainerCgroup.KeyedValues(Path.Combine(directory, "memory.stat"));
        var events = ContainerCgroup.KeyedValues(Path.Combine(directory, "memory.events"));
        var memory = new MemoryStats
        {
            Cache = (ulong)stat.GetValueOrDefault("file"),
            Usage = new MemoryData
            {
                Usage = ContainerCgroup.Number(directory, "memory.current"),
                MaxUsage = ContainerCgroup.Number(directory, "memory.peak"),
                Failcnt = (ulong)events.GetValueOrDefault("max"),
                Limit = ContainerCgroup.Number(directory, "memory.max"),
            },
            SwapUsage = new MemoryData
            {
                Usage = ContainerCgroup.Number(directory, "memory.swap.current"),
                Limit = ContainerCgroup.Number(directory, "memory.swap.max"),
            },
            KernelUsage = new MemoryData { Usage = (ulong)stat.GetValueOrDefault("kernel") },
            UseHierarchy = true,
        };
        AddStats(memory, stat);
        var stats = new CgroupStats
        {
            CpuStats = new CpuStats
            {
                CpuUsage = new CpuUsage
                {
                    TotalUsage = Micro(cpu, "usage_usec"),
                    UsageInUsermode = Micro(cpu, "user_usec"),
                    UsageInKernelmode = Micro(cpu, "system_usec"),
                },
                ThrottlingData = new ThrottlingData
                {
                    Periods = (ulong)cpu.GetValueOrDefault("nr_periods"),
                    ThrottledPeriods = (ulong)cpu.GetValueOrDefault("nr_throttled"),
                    ThrottledTime = Micro(cpu, "throttled_usec"),
                },
            },
            MemoryStats = memory,
            PidsStats = new PidsStats { Current = ContainerCgroup.Number(directory, "pids.current"), Limit = ContainerCgroup.Number(directory, "pids.max") },
            BlkioStats = IoStatV2(Path.Combine(directory, "io.stat")),
        };
        return stats;
    }

    private static CgroupStats ReadV1(ContainerCgroup cgroup)
    {
        var cpuacct = cgroup.V1("cpuacct");
        var memoryDirectory = cgroup.V1("memory");
        var ticks = cpuacct is null ? new Dictionary<string, long>() : ContainerCgroup.KeyedValues(Path.Combine(cpuacct, "cpuacct.stat"));
        var throttling = cgroup.V1("cpu") is { } cpuDirectory ? ContainerCgroup.KeyedValues(Path.Combine(cpuDirectory, "cpu.stat")) : new Dictionary<string, long>();
        var usage = new CpuUsage
        {
            TotalUsage = ContainerCgroup.Number(cpuacct, "cpuacct.usage"),
            UsageInUsermode = (ulong)ticks.GetValueOrDefault("user") * NanosecondsPerTick,
            UsageInKernelmode = (ulong)ticks.GetValueOrDefault("system") * NanosecondsPerTick,
        };
        if (cpuacct is not null && File.Exists(Path.Combine(cpuacct, "cpuacct.usage_percpu")))
        {
            usage.PercpuUsage.AddRange(File.ReadAllText(Path.Combine(cpuacct, "cpuacct.usage_percpu"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0));
        }

        var stat = memoryDirectory is null ? new Dictionary<string, long>() : ContainerCgroup.KeyedValues(Path.Combine(memoryDirectory, "memory.stat"));
        var memory = new MemoryStats
        {
            Cache = (ulong)stat.GetValueOrDefault("cache"),
            Usage = MemoryData(memoryDirectory, "memory"),
            SwapUsage = MemoryData(memoryDirectory, "memory.memsw"),
            KernelUsage = MemoryData(memoryDirectory, "memory.kmem"),
            UseHierarchy = ContainerCgroup.Number(memoryDirectory, "memory.use_hierarchy") == 1,
        };
        AddStats(memory, stat);
        var pids = cgroup.V1("pids");
        var blkio = cgroup.V1("blkio");
        return new CgroupStats
        {
            CpuStats = new CpuStats
            {
                CpuUsage = usage,
                ThrottlingData = new ThrottlingData
                {
                    Periods = (ulong)throttling.GetValueOrDefault("nr_periods"),
                    ThrottledPeriods = (ulong)throttling.GetValueOrDefault("nr_throttled"),
                    ThrottledTime = (ulong)throttling.GetValueOrDefault("throttled_time"),
                },
            },
            MemoryStats = memory,
            PidsStats = new PidsStats { Current = ContainerCgroup.Number(pids, "pids.current"), Limit = ContainerCgroup.Number(pids, "pids.max") },
            BlkioStats = new BlkioStats
            {
                IoServiceBytesRecursive = { BlkioV1(blkio, "blkio.throttle.io_service_bytes") },
                IoServicedRecursive = { BlkioV1(blkio, "blkio.throttle.io_serviced") },
            },
        };
    }

    private static MemoryData MemoryData(string? directory, string prefix) => new()
    {
        Usage = ContainerCgroup.Number(directory, $"{prefix}.usage_in_bytes"),
        MaxUsage = ContainerCgroup.Number(directory, $"{prefix}.max_usage_in_bytes"),
        Failcnt = ContainerCgroup.Number(directory, $"{prefix}.failcnt"),
        Limit = ContainerCgroup.Number(directory, $"{prefix}.limit_in_bytes"),
    };

    private static void AddStats(MemoryStats memory, Dictionary<string, long> stat)
    {
        foreach (var (key, value) in stat)
        {
            memory.Stats[key] = (ulong)Math.Max(0, value);
        }
    }

    private static ulong Micro(Dictionary<string, long> values, string key) => (ulong)values.GetValueOrDefault(key) * 1000;

    /// <summary>v1 blkio lines "MAJOR:MINOR Op value" (the "Total" line has no device and is skipped).</summary>
    private static IEnumerable<BlkioStatsEntry> BlkioV1(string? directory, string file)
    {
        var path = directory is null ? null : new[] { $"{file}_recursive", file }.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            yield break;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && Device(parts[0]) is { } device && ulong.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                yield return new BlkioStatsEntry { Major = device.Major, Minor = device.Minor, Op = parts[1], Value = value };
            }
        }
    }

    /// <summary>v2 io.stat lines "MAJOR:MINOR rbytes=… wbytes=… rios=… wios=…" as v1-style Read/Write entries.</summary>
    private static BlkioStats IoStatV2(string path)
    {
        var stats = new BlkioStats();
        if (!File.Exists(path))
        {
            return stats;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || Device(parts[0]) is not { } device)
            {
                continue;
            }

            var (major, minor) = device;

            var values = parts.Skip(1).Select(p => p.Split('=')).Where(kv => kv.Length == 2)
                .ToDictionary(kv => kv[0], kv => ulong.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0);
            stats.IoServiceBytesRecursive.Add(new BlkioStatsEntry { Major = major, Minor = minor, Op = "Read", Value = values.GetValueOrDefault("rbytes") });
            stats.IoServiceBytesRecursive.Add(new BlkioStatsEntry { Major = major, Minor = minor, Op = "Write", Value = values.GetValueOrDefault("wbytes") });
            stats.IoServicedRecursive.Add(new BlkioStatsEntry { Major = major, Minor = minor, Op = "Read", Value = values.GetValueOrDefault("rios") });
            stats.IoServicedRecursive.Add(new BlkioStatsEntry { Major = major, Minor = minor, Op = "Write", Value = values.GetValueOrDefault("wios") });
        }

        return stats;
    }

    private static (ulong Major, ulong Minor)? Device(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && ulong.TryParse(text[..colon], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major)
            && ulong.TryParse(text[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor)
            ? (major, minor)
            : null;
    }
}
