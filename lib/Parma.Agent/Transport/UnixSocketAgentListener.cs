using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>Listens on a Unix domain socket; a stale socket file from an earlier run is replaced.</summary>
public sealed class UnixSocketAgentListener(string path) : SocketAgentListener(new UnixDomainSocketEndPoint(path), ProtocolType.Unspecified)
{
    public override string Address => $"unix:{path}";

    public override void Start()
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        base.Start();
    }

    public override void Dispose()
    {
        base.Dispose();
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a socket file left behind is replaced on the next start.
        }
    }
}
