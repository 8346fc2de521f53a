using System.Diagnostics;
using System.Globalization;
using System.Text;
using Parma.Agent.Protocol;
using Process = System.Diagnostics.Process;

namespace Parma.Vm.Tests;

/// <summary>A raw disk image attached as a virtio-blk PCI device in a fixed slot, so that its Kata PCI path is known.</summary>
public sealed record VmDisk(string File, int Slot, bool ReadOnly)
{
    /// <summary>The PCI path Kata's host would send for it (slot on the root bus, two hex digits).</summary>
    public string PciPath => Slot.ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>When set, qemu reads at most this many bytes a second from the disk (a slow host device).</summary>
    public long? BytesPerSecond { get; init; }
}

/// <summary>What a test VM boots with.</summary>
public sealed record TestVmOptions
{
    /// <summary>The policy file put into the guest (Rego text, initdata TOML or an annotation value).</summary>
    public required string PolicyText { get; init; }

    public IReadOnlyList<VmDisk> Disks { get; init; } = [];

    /// <summary>
    /// The --layer-source pattern a guest image passes when its runtime attaches layers as block devices:
    /// Kata's PCI paths (docs/guest-image.md). Without it the agent accepts no block device as a layer.
    /// </summary>
    public const string PciLayerSources = "[0-9a-f]{2}(/[0-9a-f]{2})*";

    /// <summary>Agent arguments besides the address, policy and report provider the harness sets.</summary>
    public IReadOnlyList<string> AgentArguments { get; init; } =
        ["--backend", "linux", "--layer-mounts", "required", "--state-dir", "/run/parma-agent", "--layer-source", PciLayerSources];

    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// A small Linux VM under qemu (TCG: KVM cannot boot it on these machines) running the NativeAOT guest
/// agent as init's only service, reachable from the host over a virtio-serial port that qemu exposes as
/// a Unix socket. The agent binds its policy to HOST_DATA with the development report provider (a local
/// test key standing in for the PSP). Disks are attached read-only or writable in the slots given; the
/// first free slot is 5.
/// </summary>
public sealed class TestVm : IAsyncDisposable
{
    public const string PortName = "agent.channel.0";
    public const string PolicyPath = "/etc/parma/policy.rego";
    public const int FirstDiskSlot = 5;

    private readonly Process _qemu;
    private readonly StringBuilder _console = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _directory;

    private TestVm(Process qemu, string directory)
    {
        _qemu = qemu;
        _directory = directory;
    }

    /// <summary>The host end of the agent's port.</summary>
    public string AgentSocket => Path.Combine(_directory, "agent.sock");

    /// <summary>Everything the guest wrote to its console so far (kernel messages, init, the agent's log and audit lines).</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    /// <summary>From qemu's start until the agent listened.</summary>
    public TimeSpan BootTime { get; private set; }

    private GuestShell? _shell;

    /// <summary>
    /// Runs a shell command as root in the guest, outside the agent, through the test-only debug port
    /// (to look at mounts and device-mapper tables); returns what it printed and its exit status.
    /// </summary>
    public async Task<(int Status, string Output)> RunInGuestAsync(string command, TimeSpan? timeout = null)
    {
        _shell ??= GuestShell.Connect(Path.Combine(_directory, "debug.sock"));
        return await _shell.RunAsync(command, timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Why qemu cannot run here, or null when it can (used to skip, never to pass).</summary>
    public static string? Unavailable()
    {
        var qemu = Parma.Testing.ProcessRunner.Find("qemu-system-x86_64");
        return qemu is null ? "qemu-system-x86_64 is not installed (scripts/setup.sh installs qemu-system-x86)" : null;
    }

    public static async Task<TestVm> StartAsync(TestVmOptions options, CancellationToken cancellationToken = default)
    {
        var image = await VmImage.GetAsync();
        var directory = Directory.CreateTempSubdirectory("parma-vm-").FullName;
        var initrd = Path.Combine(directory, "initrd.img");
        var perBoot = NewcArchive.Create(
        [
            ("etc/parma/policy.rego", Encoding.UTF8.GetBytes(options.PolicyText)),
            ("etc/parma/agent.args", Encoding.UTF8.GetBytes(string.Join('\n', AgentArguments(options)) + "\n")),
        ]);
        await using (var output = File.Create(initrd))
        {
            await using (var input = File.OpenRead(image.Initrd))
            {
                await input.CopyToAsync(output, cancellationToken);
            }

            await output.WriteAsync(perBoot, cancellationToken);
        }

        var start = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in QemuArguments(image, initrd, directory, options))
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        var qemu = Process.Start(start) ?? throw new InvalidOperationException("qemu did not start");
        var vm = new TestVm(qemu, directory);
        qemu.OutputDataReceived += (_, e) => vm.Append(e.Data);
        qemu.ErrorDataReceived += (_, e) => vm.Append(e.Data is null ? null : "qemu: " + e.Data);
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        qemu.EnableRaisingEvents = true;
        qemu.Exited += (_, _) => vm._listening.TrySetException(new InvalidOperationException($"qemu exited with {qemu.ExitCode} before the agent listened:\n{vm.Console}"));
        try
        {
            await vm._listening.Task.WaitAsync(options.BootTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            await vm.DisposeAsync();
            throw new TimeoutException($"the agent did not listen within {options.BootTimeout}:\n{vm.Console}");
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }

        vm.BootTime = watch.Elapsed;
        return vm;
    }

    /// <summary>A host-side client of the agent over the port (what the kata shim is to the agent).</summary>
    public Task<AgentClient> ConnectAsync(CancellationToken cancellationToken = default) => AgentClient.ConnectAsync("unix:" + AgentSocket, cancellationToken);

    private static IEnumerable<string> AgentArguments(TestVmOptions options) =>
        ["--address", $"serial:{PortName}", "--policy", PolicyPath, "--report-provider", "dev", .. options.AgentArguments];

    private static List<string> QemuArguments(VmImage image, string initrd, string directory, TestVmOptions options)
    {
        List<string> arguments =
        [
            "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2", "-m", "2G",
            "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none", "-serial", "stdio",
            // no_timer_check: on a loaded host the emulated timer can miss the kernel's IO-APIC check, which then panics.
            "-kernel", image.Kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1 no_timer_check",
            "-device", "virtio-serial-pci,id=ports,bus=pci.0,addr=0x3",
            "-chardev", $"socket,id=agent,path={Path.Combine(directory, "agent.sock")},server=on,wait=off",
            "-device", $"virtserialport,bus=ports.0,chardev=agent,name={PortName}",
            "-chardev", $"socket,id=debug,path={Path.Combine(directory, "debug.sock")},server=on,wait=off",
            "-device", "virtserialport,bus=ports.0,chardev=debug,name=debug.0",
        ];
        for (var i = 0; i < options.Disks.Count; i++)
        {
            var disk = options.Disks[i];
            var throttle = disk.BytesPerSecond is { } bps ? $",throttling.bps-total={bps.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
            arguments.AddRange(["-drive", $"file={disk.File},if=none,id=disk{i},format=raw{(disk.ReadOnly ? ",readonly=on" : string.Empty)}{throttle}"]);
            arguments.AddRange(["-device", $"virtio-blk-pci,drive=disk{i},bus=pci.0,addr=0x{disk.Slot:x}"]);
        }

        return arguments;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_console)
        {
            _console.AppendLine(line);
        }

        if (line.Contains("parma-guest-agent: listening on", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _shell?.Dispose();
        try
        {
            if (!_qemu.HasExited)
            {
                _qemu.Kill(entireProcessTree: true);
            }

            await _qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _qemu.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind.
        }
    }
}
