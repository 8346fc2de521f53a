using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Kube.Errors;
using Parma.Kube.Resources;

namespace Parma.Kube.LeaderElection;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's acquire/renew/release rules.
/// </summary>
/// <remarks>
/// Ours rather than <c>k8s.LeaderElection.LeaderElector</c> (KubernetesClient 21.0.8) for one reason: that
/// one cannot give the Lease up on shutdown. It has no ReleaseOnCancel, and a Lease whose holder was
/// cleared is not taken over by it either (it then tries to create the existing Lease). Without a release,
/// a rolling update of the operator leaves the group controllers stopped for a whole LeaseDuration.
/// Writes are merge patches that carry the read resourceVersion, so they are compare-and-swap like
/// client-go's updates and keep any Lease field this model does not know.
/// </remarks>
public sealed class LeaderElector
{
    private readonly ResourceClient<V1Lease> _leases;
    private readonly LeaderElectionConfig _config;
    private readonly TimeProvider _time;
    private V1LeaseSpec? _observed;
    private DateTimeOffset _observedAt;

    public LeaderElector(IKubernetes client, LeaderElectionConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _leases = client.Resource<V1Lease>();
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
        var lease = await _leases.GetOrDefaultAsync(_config.LeaseName, _config.Namespace, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            var created = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _config.LeaseName, NamespaceProperty = _config.Namespace },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = _config.Identity,
                    LeaseDurationSeconds = (int)_config.LeaseDuration.TotalSeconds,
                    AcquireTime = now.UtcDateTime,
                    RenewTime = now.UtcDateTime,
                    LeaseTransitions = 0,
                },
            };
            try
            {
                var stored = await _leases.CreateAsync(created, cancellationToken: cancellationToken).ConfigureAwait(false);
                Observe(stored.Spec!, now);
                return true;
            }
            catch (KubeAlreadyExistsException)
            {
                return false;
            }
        }

        var spec = lease.Spec ?? new V1LeaseSpec();
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

        var next = new JsonObject
        {
            ["holderIdentity"] = _config.Identity,
            ["leaseDurationSeconds"] = (int)_config.LeaseDuration.TotalSeconds,
            ["acquireTime"] = MicroTime(spec.HolderIdentity == _config.Identity && spec.AcquireTime is { } acquired ? acquired : now.UtcDateTime),
            ["renewTime"] = MicroTime(now.UtcDateTime),
            ["leaseTransitions"] = spec.HolderIdentity == _config.Identity ? spec.LeaseTransitions : (spec.LeaseTransitions ?? 0) + 1,
        };
        try
        {
            var stored = await PatchAsync(lease, next, cancellationToken).ConfigureAwait(false);
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
            var lease = await _leases.GetOrDefaultAsync(_config.LeaseName, _config.Namespace).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != _config.Identity)
            {
                return;
            }

            var now = MicroTime(_time.GetUtcNow().UtcDateTime);
            await PatchAsync(lease, new JsonObject
            {
                ["holderIdentity"] = null,
                ["leaseDurationSeconds"] = 1,
                ["renewTime"] = now,
                ["acquireTime"] = now,
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            // Best effort: the lease expires by itself.
        }
    }

    /// <summary>A merge patch of the Lease's spec, conditional on the resourceVersion read (409 when someone wrote meanwhile).</summary>
    private Task<V1Lease> PatchAsync(V1Lease lease, JsonObject spec, CancellationToken cancellationToken) =>
        _leases.PatchAsync(
            _config.LeaseName,
            _config.Namespace,
            KubePatch.Merge(new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = lease.Metadata.ResourceVersion },
                ["spec"] = spec,
            }),
            cancellationToken: cancellationToken);

    /// <summary>metav1.MicroTime as the API writes it.</summary>
    private static string MicroTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void Observe(V1LeaseSpec spec, DateTimeOffset at)
    {
        _observed = spec;
        _observedAt = at;
    }

    private static bool SameRecord(V1LeaseSpec a, V1LeaseSpec b) =>
        a.HolderIdentity == b.HolderIdentity && a.RenewTime == b.RenewTime && a.AcquireTime == b.AcquireTime
        && a.LeaseTransitions == b.LeaseTransitions && a.LeaseDurationSeconds == b.LeaseDurationSeconds;

    private static TimeSpan Jittered(TimeSpan period) => period * (1 + Random.Shared.NextDouble() * 0.2);
}
