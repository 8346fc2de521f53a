using System.Text.Json.Nodes;
using Parma.Kube.Client;
using Parma.Kube.Errors;
using Parma.Kube.Informers;
using Parma.Kube.Models;

namespace Parma.Benchmarks.Operator;

/// <summary>The test API server has no kubelet: this marks every new pod Running and Ready at once.</summary>
internal sealed class ScaleKubelet : IAsyncDisposable
{
    private readonly IKubernetesClient _client;
    private readonly Informer<Pod> _pods;
    private readonly SemaphoreSlim _parallel = new(8);

    public ScaleKubelet(IKubernetesClient client)
    {
        _client = client;
        _pods = new Informer<Pod>(client);
        _pods.OnAdd((pod, _) => MarkReady(pod));
        _pods.Start();
    }

    private Task MarkReady(Pod pod)
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
                await _client.PatchStatusAsync<Pod>(pod.Metadata.Name!, pod.Metadata.Namespace, KubePatch.Merge(status));
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
