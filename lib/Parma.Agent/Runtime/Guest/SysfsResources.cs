using System.Globalization;
using System.Text.RegularExpressions;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// CPUs and memory blocks under sysfs, as kata-agent handles them: OnlineCPUMem writes "1" to the
/// online file of offline CPUs until the requested number is online (retrying while hot-plugged CPUs
/// appear, 5 s at most) and of every offline memory block; MemHotplugByProbe writes each address to
/// the memory probe file; GetGuestDetails reads the memory block size and whether the probe file
/// exists. Nothing is ever taken offline. The sysfs root is configurable (a test gives a directory
/// shaped like /sys).
/// </summary>
internal sealed partial class SysfsResources(string sysfsRoot, TimeSpan? cpuWait = null)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);

    private readonly TimeSpan _cpuWait = cpuWait ?? TimeSpan.FromSeconds(5);

    private string CpuDirectory => Path.Combine(sysfsRoot, "devices", "system", "cpu");

    private string MemoryDirectory => Path.Combine(sysfsRoot, "devices", "system", "memory");

    [GeneratedRegex("^cpu[0-9]+$")]
    private static partial Regex CpuName();

    [GeneratedRegex("^memory[0-9]+$")]
    private static partial Regex MemoryBlockName();

    public async Task OnlineAsync(OnlineCPUMemRequest request, CancellationToken cancellationToken)
    {
        if (request.NbCpus > 0)
        {
            await OnlineCpusAsync((int)Math.Min(request.NbCpus, int.MaxValue), cancellationToken).ConfigureAwait(false);
        }

        if (!request.CpuOnly)
        {
            OnlineAll(MemoryDirectory, MemoryBlockName(), int.MaxValue);
        }
    }

    public void ProbeMemory(IEnumerable<ulong> addresses)
    {
        var probe = Path.Combine(MemoryDirectory, "probe");
        if (!File.Exists(probe))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, "this kernel has no memory probe file (memory hot-plug by probe is not supported)");
        }

        foreach (var address in addresses)
        {
            Write(probe, $"0x{address.ToString("X", CultureInfo.InvariantCulture)}");
        }
    }

    public GuestDetailsResponse Details(GuestDetailsRequest request, AgentDetails agent)
    {
        var response = new GuestDetailsResponse { AgentDetails = agent };
        if (request.MemBlockSize)
        {
            var path = Path.Combine(MemoryDirectory, "block_size_bytes");
            if (File.Exists(path))
            {
                var text = File.ReadAllText(path).Trim();
                response.MemBlockSizeBytes = ulong.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size)
                    ? size
                    : throw new RuntimeException(StatusCode.Internal, $"{path} holds '{text}', not a hexadecimal block size");
            }
        }

        if (request.MemHotplugProbe)
        {
            response.SupportMemHotplugProbe = File.Exists(Path.Combine(MemoryDirectory, "probe"));
        }

        return response;
    }

    /// <summary>CPUs online: those whose online file says 1, and those without one (the boot CPU cannot go offline).</summary>
    public int OnlineCpuCount() =>
        Entries(CpuDirectory, CpuName()).Count(d => !File.Exists(Path.Combine(d, "online")) || Read(Path.Combine(d, "online")) == "1");

    private async Task OnlineCpusAsync(int wanted, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _cpuWait;
        while (true)
        {
            var online = OnlineCpuCount();
            if (online >= wanted)
            {
                return;
            }

            OnlineAll(CpuDirectory, CpuName(), wanted - online);
            if (OnlineCpuCount() >= wanted)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new RuntimeException(StatusCode.ResourceExhausted, $"only {OnlineCpuCount()} CPUs are online after {_cpuWait.TotalSeconds:0.#} s; {wanted} were asked for");
            }

            await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes "1" to the online file of up to <paramref name="limit"/> offline entries.</summary>
    private static void OnlineAll(string directory, Regex name, int limit)
    {
        var done = 0;
        foreach (var entry in Entries(directory, name))
        {
            var online = Path.Combine(entry, "online");
            if (done >= limit || !File.Exists(online) || Read(online) != "0")
            {
                continue;
            }

            Write(online, "1");
            done++;
        }
    }

    private static IEnumerable<string> Entries(string directory, Regex name) =>
        Directory.Exists(directory)
            ? Directory.EnumerateDirectories(directory).Where(d => name.IsMatch(Path.GetFileName(d))).Order(StringComparer.Ordinal)
            : throw new RuntimeException(StatusCode.FailedPrecondition, $"{directory} does not exist");

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static void Write(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException(StatusCode.Internal, $"writing {value} to {path}: {e.Message}");
        }
    }
}
