using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using Parma.Kube.Informers;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Operator.Tests.Support;

/// <summary>
/// Plays the kubelet for the test API server: each new pod is marked Running and Ready through the
/// status subresource after <see cref="StartupDelay"/>. Can be paused to hold pods unready.
/// </summary>
public sealed class FakeKubelet : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Pod> _informer;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _paused;

    public FakeKubelet(IKubernetes client, TimeSpan startupDelay)
    {
        _client = client;
        StartupDelay = startupDelay;
        _informer = new Informer<V1Pod>(client);
        _informer.OnAdd((pod, _) => Schedule(pod)).OnUpdate((_, pod, _) => Schedule(pod));
        _informer.Start();
    }

    public TimeSpan StartupDelay { get; set; }

    /// <summary>While paused, new pods stay Pending.</summary>
    public bool Paused
    {
        get => _paused;
        set
        {
            _paused = value;
            if (!value)
            {
                foreach (var pod in _informer.Store.List())
                {
                    _ = Schedule(pod);
                }
            }
        }
    }

    private Task Schedule(V1Pod pod)
    {
        if (_paused || pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase == "Running")
        {
            return Task.CompletedTask;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(StartupDelay, _stop.Token);
                if (_paused)
                {
                    return;
                }

                var status = new JsonObject
                {
                    ["status"] = new JsonObject
                    {
                        ["phase"] = "Running",
                        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                    },
                };
                await _client.PatchStatusAsync<V1Pod>(pod.Metadata.Name!, pod.Metadata.NamespaceProperty, KubePatch.Merge(status), cancellationToken: _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or KubeApiException or HttpRequestException)
            {
                // The pod went away, or the test ended.
            }
        });
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _informer.DisposeAsync();
        _stop.Dispose();
    }
}
