using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using Parma.Kube.Informers;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Benchmarks.Operator;

/// <summary>The test API server has no kubelet: this marks every new pod Running and Ready at once.</summary>
internal sealed class ScaleKubelet : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Pod> _pods;
    private readonly SemaphoreSlim _parallel = new(8);

    public ScaleKubelet(IKubernetes client)
    {
        _client = client;
        _pods = new Informer<V1Pod>(client);
        _pods.OnAdd((pod, _) => MarkReady(pod));
        _pods.Start();
    }

    private Task MarkReady(V1Pod pod)
    {
        _ = Task.Run(async () =>
        {
            await _parallel.WaitAsync();
            try
            {
                var status = new JsonObject
                {
                    ["status"] = new JsonObject
                    {
                        ["phase"] = "Running",
                        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                    },
                };
                await _client.PatchStatusAsync<V1Pod>(pod.Metadata.Name!, pod.Metadata.NamespaceProperty, KubePatch.Merge(status));
            }
            catch (KubeApiException)
            {
                // Deleted meanwhile.
            }
            finally
            {
                _parallel.Release();
            }
        });
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _pods.DisposeAsync();
        _parallel.Dispose();
    }
}
