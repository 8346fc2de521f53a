using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>Plays the kubelet: marks every pending pod of a namespace Running and Ready through the status subresource.</summary>
public sealed class Kubelet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Kubelet(IKubernetes client, string ns) => _loop = RunAsync(client, ns, _stop.Token);

    private static async Task RunAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        var ready = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            },
        };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var pod in (await client.ListAsync<V1Pod>(ns, cancellationToken: cancellationToken)).Items)
                {
                    if (pod.Status?.Phase != "Running" && pod.Metadata.DeletionTimestamp is null)
                    {
                        await client.PatchStatusAsync<V1Pod>(pod.Metadata.Name!, ns, KubePatch.Merge(ready.ToJsonString()), cancellationToken: cancellationToken);
                    }
                }

                await Task.Delay(100, cancellationToken);
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or OperationCanceledException)
            {
                // A pod went away between list and patch, or the test ended.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
