using System.Collections.Concurrent;
using System.Threading.Channels;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Cgroups;

/// <summary>
/// OOM events for GetOOMEvent, as kata-agent gives them: the id of a container in which the kernel
/// killed a process for exceeding the memory limit. Each watched container's cgroup oom_kill counter
/// (v2 memory.events, v1 memory.oom_control) is read four times a second while containers are
/// watched; every increase queues one event. GetOOMEvent is a long-poll: it waits for the next event,
/// and every waiter is released with UNAVAILABLE when the sandbox is destroyed (kata-agent closes its
/// channel the same way), so the host's watcher stops.
/// </summary>
internal sealed class OomMonitor : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, Watched> _watched = new(StringComparer.Ordinal);
    private readonly Timer _timer;

    public OomMonitor() => _timer = new Timer(_ => Poll(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Starts watching a container's cgroup; kills counted before now are not reported.</summary>
    public void Watch(string containerId, ContainerCgroup cgroup)
    {
        _watched[containerId] = new Watched(cgroup) { Seen = cgroup.OomKills() };
        _timer.Change(Interval, Interval);
    }

    /// <summary>Stops watching (the container is being removed), reporting a kill that happened since the last look.</summary>
    public void Forget(string containerId)
    {
        if (_watched.TryRemove(containerId, out var watched))
        {
            Check(containerId, watched);
        }

        if (_watched.IsEmpty)
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public async Task<OOMEvent> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new OOMEvent { ContainerId = await _events.Reader.ReadAsync(cancellationToken).ConfigureAwait(false) };
        }
        catch (ChannelClosedException)
        {
            throw new RuntimeException(StatusCode.Unavailable, "the sandbox is destroyed: there will be no more OOM events");
        }
    }

    /// <summary>The sandbox is destroyed: waiting and later GetOOMEvent calls return at once.</summary>
    public void Close()
    {
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        _events.Writer.TryComplete();
    }

    private void Poll()
    {
        foreach (var (id, watched) in _watched)
        {
            Check(id, watched);
        }
    }

    private void Check(string containerId, Watched watched)
    {
        lock (watched)
        {
            long kills;
            try
            {
                kills = watched.Cgroup.OomKills();
            }
            catch (IOException)
            {
                return;
            }

            if (kills > watched.Seen)
            {
                watched.Seen = kills;
                _events.Writer.TryWrite(containerId);
            }
        }
    }

    public void Dispose()
    {
        Close();
        _timer.Dispose();
    }

    private sealed class Watched(ContainerCgroup cgroup)
    {
        public ContainerCgroup Cgroup { get; } = cgroup;

        public long Seen { get; set; }
    }
}
