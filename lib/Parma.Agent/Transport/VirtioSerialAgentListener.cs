namespace Parma.Agent.Transport;

/// <summary>
/// Listens on a virtio-serial port, for VMs without vsock (the project's test VM; the host exposes
/// the port as a Unix socket, e.g. qemu's <c>virtserialport</c> over a <c>socket</c> chardev). The
/// port is found by its name under /sys/class/virtio-ports (the vportNpM number varies) or given as a
/// device path. A port carries one connection at a time: it "connects" when the host sends its first
/// bytes and ends when the host closes its side (reads then return end of file); the next host
/// connection is accepted on the same port.
/// </summary>
public sealed class VirtioSerialAgentListener(string port) : IAgentListener
{
    public const string PortsDirectory = "/sys/class/virtio-ports";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long <see cref="Start"/> waits for the port to appear (the console driver may still be probing).</summary>
    private static readonly TimeSpan AppearWithin = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _free = new(1, 1);
    private PortDevice? _device;

    public string Address => _device is { } device ? $"serial:{port} ({device.Path})" : $"serial:{port}";

    public void Start()
    {
        // A device path is there or not; a port name may still be appearing while the driver probes.
        var deadline = DateTime.UtcNow + (port.StartsWith('/') ? TimeSpan.Zero : AppearWithin);
        string? path;
        while ((path = Find(port)) is null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(PollInterval);
        }

        _device = PortDevice.Open(path ?? throw new IOException(port.StartsWith('/')
            ? $"no virtio-serial port device {port}"
            : $"no virtio-serial port named '{port}' under {PortsDirectory} (is virtio_console loaded and the port attached?)"));
    }

    /// <summary>The device of a port given by name or path, or null when there is none (yet).</summary>
    public static string? Find(string port)
    {
        if (port.StartsWith('/'))
        {
            return File.Exists(port) ? port : null;
        }

        if (!Directory.Exists(PortsDirectory))
        {
            return null;
        }

        foreach (var directory in Directory.EnumerateDirectories(PortsDirectory))
        {
            var nameFile = Path.Combine(directory, "name");
            if (File.Exists(nameFile) && File.ReadAllText(nameFile).Trim() == port)
            {
                var device = Path.Combine("/dev", Path.GetFileName(directory));
                return File.Exists(device) ? device : null;
            }
        }

        return null;
    }

    /// <summary>Waits until the previous connection ended and the host sends bytes.</summary>
    public async ValueTask<IAgentConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        var device = _device ?? throw new InvalidOperationException($"{Address}: Start() was not called");
        await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Run(() => WaitForHost(device, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new VirtioSerialConnection(device, () => _free.Release());
        }
        catch
        {
            _free.Release();
            throw;
        }
    }

    private static void WaitForHost(PortDevice device, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var events = device.Poll(PortDevice.PollIn, PollInterval);
            if ((events & PortDevice.PollIn) != 0)
            {
                return;
            }

            if ((events & PortDevice.PollHangUp) != 0)
            {
                // No host on the other side: poll answers at once, so wait before asking again.
                Thread.Sleep(PollInterval);
            }
        }
    }

    public void Dispose()
    {
        _device?.Dispose();
        _free.Dispose();
    }
}
