using System.Globalization;
using System.Text;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// GetMetrics: Prometheus text under kata-agent's metric names, from /proc: the agent process
/// (threads, RSS, virtual size, CPU time, scrape count) and the guest (load, tasks, memory, per-CPU
/// times, network devices). The host's shim relabels and serves them.
/// </summary>
internal sealed class GuestMetrics(string procRoot = "/proc")
{
    private static readonly string[] CpuTimeItems = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"];
    private static readonly string[] NetdevItems =
        ["recv_bytes", "recv_packets", "recv_errs", "recv_drop", "recv_fifo", "recv_frame", "recv_compressed", "recv_multicast",
         "sent_bytes", "sent_packets", "sent_errs", "sent_drop", "sent_fifo", "sent_colls", "sent_carrier", "sent_compressed"];

    private long _scrapes;

    public string Render()
    {
        var text = new StringBuilder();
        Gauge(text, "kata_agent_scrape_count", "Metrics scrape count", Interlocked.Increment(ref _scrapes), "counter");
        var status = KeyedLines(Path.Combine(procRoot, "self", "status"), ':');
        Gauge(text, "kata_agent_threads", "Agent process threads", status.GetValueOrDefault("Threads"));
        Gauge(text, "kata_agent_total_rss", "Agent process total RSS size", status.GetValueOrDefault("VmRSS") * 1024);
        Gauge(text, "kata_agent_total_vm", "Agent process total VM size", status.GetValueOrDefault("VmSize") * 1024);
        using (var self = System.Diagnostics.Process.GetCurrentProcess())
        {
            Header(text, "kata_agent_total_time", "Agent process total time");
            text.Append("kata_agent_total_time ").Append(self.TotalProcessorTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        }

        var load = Read("loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Header(text, "kata_guest_load", "Guest system load.");
        foreach (var (item, index) in new[] { "load1", "load5", "load15" }.Select((n, i) => (n, i)))
        {
            Sample(text, "kata_guest_load", [("item", item)], load.Length > index ? load[index] : "0");
        }

        if (load.Length > 3 && load[3].Split('/') is [var running, var total])
        {
            Header(text, "kata_guest_tasks", "Guest system tasks.");
            Sample(text, "kata_guest_tasks", [("item", "cur")], running);
            Sample(text, "kata_guest_tasks", [("item", "max")], total);
        }

        Header(text, "kata_guest_meminfo", "Statistics about memory usage in the system.");
        foreach (var (item, kib) in KeyedLines(Path.Combine(procRoot, "meminfo"), ':'))
        {
            Sample(text, "kata_guest_meminfo", [("item", item.ToLowerInvariant())], (kib * 1024).ToString(CultureInfo.InvariantCulture));
        }

        Header(text, "kata_guest_cpu_time", "Guest CPU statistics.");
        foreach (var line in Read("stat").Split('\n').Where(l => l.StartsWith("cpu", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var cpu = parts[0] == "cpu" ? "total" : parts[0][3..];
            for (var i = 0; i < CpuTimeItems.Length && i + 1 < parts.Length; i++)
            {
                Sample(text, "kata_guest_cpu_time", [("cpu", cpu), ("item", CpuTimeItems[i])], parts[i + 1]);
            }
        }

        Header(text, "kata_guest_netdev_stat", "Guest net devices statistics.");
        foreach (var line in Read(Path.Combine("net", "dev")).Split('\n').Skip(2).Where(l => l.Contains(':')))
        {
            var name = line[..line.IndexOf(':')].Trim();
            var values = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < NetdevItems.Length && i < values.Length; i++)
            {
                Sample(text, "kata_guest_netdev_stat", [("interface", name), ("item", NetdevItems[i])], values[i]);
            }
        }

        return text.ToString();
    }

    private string Read(string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procRoot, name));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>"Key: value [kB]" lines (/proc/meminfo, /proc/self/status) as numbers.</summary>
    private static Dictionary<string, long> KeyedLines(string path, char separator)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var line in File.ReadLines(path))
        {
            var at = line.IndexOf(separator);
            if (at > 0 && line[(at + 1)..].Trim().Split(' ')[0] is var number && long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..at].Replace('(', '_').Replace(")", string.Empty, StringComparison.Ordinal)] = value;
            }
        }

        return values;
    }

    private static void Gauge(StringBuilder text, string name, string help, long value, string type = "gauge")
    {
        Header(text, name, help, type);
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Header(StringBuilder text, string name, string help, string type = "gauge") =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Key, string Value)[] labels, string value) =>
        text.Append(name).Append('{').Append(string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\""))).Append("} ").Append(value).Append('\n');
}
