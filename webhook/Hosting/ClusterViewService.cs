using Parma.Webhook.Groups;

namespace Parma.Webhook;

/// <summary>Starts the informers with the host and stops them with it.</summary>
internal sealed class ClusterViewService(KubernetesClusterView view) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        view.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => view.DisposeAsync().AsTask();
}
