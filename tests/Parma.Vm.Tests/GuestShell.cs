using System.Net.Sockets;
using System.Text;

namespace Parma.Vm.Tests;

/// <summary>
/// The host end of the test VM's debug port: a root shell that init keeps reading commands from. One
/// connection for the VM's life (the guest's shell sees end of file when the host disconnects, and
/// qemu drops a connection whose client half-closes); each command ends with a marker and its status.
/// </summary>
internal sealed class GuestShell : IDisposable
{
    private const string Marker = "__parma_done_";
    private readonly Socket _socket;
    private readonly StringBuilder _received = new();
    private readonly SemaphoreSlim _one = new(1, 1);

    private GuestShell(Socket socket) => _socket = socket;

    public static GuestShell Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return new GuestShell(socket);
    }

    public async Task<(int Status, string Output)> RunAsync(string command, TimeSpan timeout)
    {
        await _one.WaitAsync();
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            var id = Guid.NewGuid().ToString("N")[..8];
            var end = $"{Marker}{id}:";
            await _socket.SendAsync(Encoding.UTF8.GetBytes($"{command}\necho \"{end}$?\"\n"), cancel.Token);
            var buffer = new byte[4096];
            while (true)
            {
                var text = _received.ToString();
                var at = text.IndexOf(end, StringComparison.Ordinal);
                var newline = at < 0 ? -1 : text.IndexOf('\n', at);
                if (newline >= 0)
                {
                    _received.Remove(0, newline + 1);
                    var status = int.Parse(text[(at + end.Length)..newline].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    return (status, text[..at]);
                }

                var read = await _socket.ReceiveAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    throw new IOException($"the guest's debug shell closed the connection; received so far: {text}");
                }

                _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _one.Dispose();
    }
}
