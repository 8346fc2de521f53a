using k8s;
using Parma.Kube.LeaderElection;
using Parma.Operator.Controller;
using Parma.Operator.Observability;

namespace Parma.Operator.Hosting;

/// <summary>
/// Runs the controller while this replica holds the Lease (or always, without leader election). A
/// replica that loses the Lease stops its controller, letting in-flight reconciles finish, and
/// campaigns again.
/// </summary>
internal sealed class OperatorService(
    GroupController controller,
    IKubernetes client,
    OperatorOptions options,
    OperatorMetrics metrics,
    ILogger<OperatorService> logger) : BackgroundService
{
    private volatile bool _leading;

    public bool IsLeader => _leading;

    /// <summary>Ready: a standby is ready to take over; a leader once its caches are synced.</summary>
    public bool IsReady => options.LeaderElect ? !_leading || controller.HasSynced : controller.HasSynced;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.LeaderElect)
        {
            await LeadAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        var elector = new LeaderElector(client, new LeaderElectionConfig
        {
            LeaseName = options.LeaseName,
            Namespace = options.LeaderElectionNamespace!,
            Identity = options.Identity,
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        logger.LogInformation("Campaigning for Lease {Namespace}/{Lease} as {Identity}", options.LeaderElectionNamespace, options.LeaseName, options.Identity);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await elector.RunAsync(LeadAsync, () => logger.LogInformation("{Identity} stopped leading", options.Identity), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Leader election failed, trying again: {Error}", e.Message);
                try
                {
                    await Task.Delay(options.RetryPeriod, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        _leading = true;
        metrics.SetLeader(true);
        logger.LogInformation("{Identity} is leading", options.Identity);
        try
        {
            await controller.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _leading = false;
            metrics.SetLeader(false);
        }
    }
}
