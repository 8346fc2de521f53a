using Parma.Kube.Client;
using Parma.Kube.Errors;
using Parma.Kube.Models;

namespace Parma.Kube.LeaderElection;

/// <summary>Leader election on a coordination.k8s.io/v1 Lease, with client-go's acquire/renew/release rules.</summary>
public sealed class LeaderElector
{
    private readonly IKubernetesClient _client;
    private readonly LeaderElectionConfig _config;
    private readonly TimeProvider _time;
    private LeaseSpec? _observed;
    private DateTimeOffset _observedAt;

    public LeaderElector(IKubernetesClient client, LeaderElectionConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _client = client;
        _config = config;
        _time = time ?? TimeProvider.System;
    }

    public bool IsLeader { get; private set; }

    /// <summary>The holder seen in the lease at the last attempt.</summary>
    public string? ObservedLeader => _observed?.HolderIdentity;

    /// <summary>
    /// Campaigns until elected, runs <paramref name="lead"/> while leading, and returns when leadership
    /// is lost (renewal failed for RenewDeadline) or <paramref name="cancellationToken"/> is cancelled.
    /// The token passed to <paramref name="lead"/> is cancelled when leadership ends.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, Action? onStoppedLeading = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lead);
        while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(Jittered(_config.RetryPeriod), _time, cancellationToken).ConfigureAwait(false);
        }

        IsLeader = true;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        try
        {
            await RenewLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop.
        }
        finally
        {
            IsLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The leader's work stops by cancellation.
            }

            if (cancellationToken.IsCancellationRequested && _config.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            onStoppedLeading?.Invoke();
        }
    }

    /// <summary>One attempt: create the lease, renew ours, or take over an expired one. False when someone else holds it.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var lease = await _client.GetOrDefaultAsync<Lease>(_config.LeaseName, _config.Namespace, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            var created = new Lease
            {
                Metadata = new ObjectMeta { Name = _config.LeaseName, Namespace = _config.Namespace },
                Spec = new LeaseSpec
                {
                    HolderIdentity = _config.Identity,
                    LeaseDurationSeconds = (int)_config.LeaseDuration.TotalSeconds,
                    AcquireTime = now,
                    RenewTime = now,
                    LeaseTransitions = 0,
                },
            };
            try
            {
                var stored = await _client.CreateAsync(created, cancellationToken: cancellationToken).ConfigureAwait(false);
                Observe(stored.Spec!, now);
                return true;
            }
            catch (KubeAlreadyExistsException)
            {
                return false;
            }
        }

        var spec = lease.Spec ?? new LeaseSpec();
        if (_observed is null || !SameRecord(_observed, spec))
        {
            Observe(spec, now);
        }

        var heldByOther = !string.IsNullOrEmpty(spec.HolderIdentity) && spec.HolderIdentity != _config.Identity;
        var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)_config.LeaseDuration.TotalSeconds);
        if (heldByOther && _observedAt + duration > now)
        {
            return false;
        }

        var next = new LeaseSpec
        {
            HolderIdentity = _config.Identity,
            LeaseDurationSeconds = (int)_config.LeaseDuration.TotalSeconds,
            AcquireTime = spec.HolderIdentity == _config.Identity ? spec.AcquireTime : now,
            RenewTime = now,
            LeaseTransitions = spec.HolderIdentity == _config.Identity ? spec.LeaseTransitions : (spec.LeaseTransitions ?? 0) + 1,
            AdditionalProperties = spec.AdditionalProperties,
        };
        lease.Spec = next;
        try
        {
            var stored = await _client.ReplaceAsync(lease, cancellationToken: cancellationToken).ConfigureAwait(false);
            Observe(stored.Spec!, now);
            return true;
        }
        catch (KubeConflictException)
        {
            return false;
        }
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(_config.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
            var deadline = _time.GetUtcNow() + _config.RenewDeadline;
            var renewed = false;
            while (!renewed && _time.GetUtcNow() < deadline)
            {
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(deadline - _time.GetUtcNow());
                    renewed = await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    renewed = false;
                }

                if (!renewed)
                {
                    var wait = TimeSpan.FromTicks(Math.Min(_config.RetryPeriod.Ticks / 2, Math.Max(0, (deadline - _time.GetUtcNow()).Ticks)));
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!renewed)
            {
                // Lost: another candidate may take over once LeaseDuration has passed without renewals.
                return;
            }
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            var lease = await _client.GetOrDefaultAsync<Lease>(_config.LeaseName, _config.Namespace).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != _config.Identity)
            {
                return;
            }

            var now = _time.GetUtcNow();
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = now;
            lease.Spec.AcquireTime = now;
            await _client.ReplaceAsync(lease).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            // Best effort: the lease expires by itself.
        }
    }

    private void Observe(LeaseSpec spec, DateTimeOffset at)
    {
        _observed = spec;
        _observedAt = at;
    }

    private static bool SameRecord(LeaseSpec a, LeaseSpec b) =>
        a.HolderIdentity == b.HolderIdentity && a.RenewTime == b.RenewTime && a.AcquireTime == b.AcquireTime
        && a.LeaseTransitions == b.LeaseTransitions && a.LeaseDurationSeconds == b.LeaseDurationSeconds;

    private static TimeSpan Jittered(TimeSpan period) => period * (1 + Random.Shared.NextDouble() * 0.2);
}
