using Parma.Api;
using Parma.Kube.Informers;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Operator.Tests.Support;

/// <summary>
/// Watches a group's pods and keeps the extremes a rollout must respect: the most pods alive at once,
/// the fewest ready at once, and whether any pod's host_data ever changed in place.
/// </summary>
public sealed class PodObserver : IAsyncDisposable
{
    private readonly Informer<V1Pod> _informer;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string?> _hostDataByUid = [];
    private volatile bool _recording;

    private PodObserver(IKubernetes client, string group)
    {
        _informer = new Informer<V1Pod>(client, "default", new InformerOptions { LabelSelector = $"{ParmaLabels.Group}={group}" });
        _informer.OnAdd((p, _) => Observe(p)).OnUpdate((_, p, _) => Observe(p)).OnDelete((_, _) => Observe(null));
    }

    public int MaxActive { get; private set; }

    public int MinReady { get; private set; } = int.MaxValue;

    public List<string> PatchedInPlace { get; } = [];

    public HashSet<string> SeenNames { get; } = [];

    public static async Task<PodObserver> StartAsync(IKubernetes client, string group)
    {
        var observer = new PodObserver(client, group);
        observer._informer.Start();
        await observer._informer.WaitForSyncAsync();
        observer._recording = true;
        await observer.Observe(null);
        return observer;
    }

    private Task Observe(V1Pod? changed)
    {
        lock (_gate)
        {
            if (changed is not null)
            {
                SeenNames.Add(changed.Metadata.Name!);
                var hostData = changed.GetAnnotation(ParmaLabels.HostDataAnnotation);
                if (_hostDataByUid.TryGetValue(changed.Metadata.Uid!, out var before) && before != hostData)
                {
                    PatchedInPlace.Add(changed.Metadata.Name!);
                }

                _hostDataByUid[changed.Metadata.Uid!] = hostData;
            }

            if (!_recording)
            {
                // The initial list fills the store one pod at a time; its partial counts mean nothing.
                return Task.CompletedTask;
            }

            var pods = _informer.Store.List().Where(p => p.Metadata.DeletionTimestamp is null).ToList();
            MaxActive = Math.Max(MaxActive, pods.Count);
            MinReady = Math.Min(MinReady, pods.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true));
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _informer.DisposeAsync();
}
