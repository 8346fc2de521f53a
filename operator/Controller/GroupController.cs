using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Kube.Informers;
using Parma.Operator.Observability;
using Parma.Operator.Reads;
using Parma.Operator.Reconciliation;

namespace Parma.Operator.Controller;

internal sealed record ControllerOptions
{
    /// <summary>Groups reconciled at the same time (never the same group twice at once).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>After being asked to stop, how long in-flight reconciles may take before they are cancelled.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Every group is reconciled again this often even without changes (the informers' resync).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Watches groups, their pods, ConfigMaps, Secrets and ServiceAccounts, and feeds group keys ("namespace/name") to a work queue
/// that workers drain through <see cref="GroupReconciler"/>. Runs while this replica leads.
/// </summary>
internal sealed class GroupController(
    IKubernetes client,
    GroupReconciler reconciler,
    WatchCaches caches,
    OperatorMetrics metrics,
    ControllerOptions options,
    ILogger<GroupController> logger)
{
    private const string ConfigMapIndex = "referenced-configmaps";
    private const string SecretIndex = "referenced-secrets";
    private const string ServiceAccountIndex = "service-account";
    private const string ServiceAccountPullSecretIndex = "pull-secrets";

    private volatile bool _synced;

    /// <summary>True once the informers listed everything (for /readyz).</summary>
    public bool HasSynced => _synced;

    /// <summary>Queue depth of the running controller (0 when not running).</summary>
    public int QueueDepth => _queue?.Depth ?? 0;

    private WorkQueue? _queue;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then lets in-flight reconciles finish.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var queue = new WorkQueue();
        _queue = queue;
        metrics.ObserveQueue(() => queue.Depth);
        var groups = new Informer<ConfidentialPodGroup>(client, options: new InformerOptions { ResyncPeriod = options.ResyncPeriod });
        groups.Store.AddIndex(ConfigMapIndex, g => GroupReferences.ConfigMaps(g.Spec.Template.Spec, g.Spec.Policy).Select(n => $"{g.Metadata.NamespaceProperty}/{n}"));
        groups.Store.AddIndex(SecretIndex, g => GroupReferences.Secrets(g.Spec.Template.Spec, g.Spec.Policy).Select(n => $"{g.Metadata.NamespaceProperty}/{n}"));
        groups.Store.AddIndex(ServiceAccountIndex, g => [$"{g.Metadata.NamespaceProperty}/{GroupReferences.ServiceAccount(g.Spec.Template.Spec)}"]);
        var pods = new Informer<V1Pod>(client, options: new InformerOptions { LabelSelector = ParmaLabels.Group });
        var configMaps = new Informer<V1ConfigMap>(client);
        var secrets = new Informer<V1Secret>(client);
        var serviceAccounts = new Informer<V1ServiceAccount>(client);
        serviceAccounts.Store.AddIndex(ServiceAccountPullSecretIndex, a => (a.ImagePullSecrets ?? []).Select(s => $"{a.Metadata.NamespaceProperty}/{s.Name}"));
        groups.OnAdd((g, _) => Enqueue(queue, g))
            .OnUpdate((old, g, _) => NeedsReconcile(old, g) ? Enqueue(queue, g) : Task.CompletedTask)
            .OnDelete((g, _) => Enqueue(queue, g));
        pods.OnAdd((p, _) => EnqueueOwner(queue, p))
            .OnUpdate((_, p, _) => EnqueueOwner(queue, p))
            .OnDelete((p, _) => EnqueueOwner(queue, p));
        configMaps.OnAdd((c, _) => EnqueueReferencing(queue, groups.Store, c))
            .OnUpdate((_, c, _) => EnqueueReferencing(queue, groups.Store, c))
            .OnDelete((c, _) => EnqueueReferencing(queue, groups.Store, c));
        secrets.OnAdd((s, _) => EnqueueReferencing(queue, groups.Store, serviceAccounts.Store, s))
            .OnUpdate((old, s, _) => SameData(old, s) ? Task.CompletedTask : EnqueueReferencing(queue, groups.Store, serviceAccounts.Store, s))
            .OnDelete((s, _) => EnqueueReferencing(queue, groups.Store, serviceAccounts.Store, s));
        serviceAccounts.OnAdd((a, _) => EnqueueReferencing(queue, groups.Store, a))
            .OnUpdate((old, a, _) => SamePullSecrets(old, a) ? Task.CompletedTask : EnqueueReferencing(queue, groups.Store, a))
            .OnDelete((a, _) => EnqueueReferencing(queue, groups.Store, a));
        groups.Error += OnWatchError;
        pods.Error += OnWatchError;
        configMaps.Error += OnWatchError;
        secrets.Error += OnWatchError;
        serviceAccounts.Error += OnWatchError;

        using var hardStop = new CancellationTokenSource();
        var workers = new List<Task>();
        try
        {
            groups.Start();
            pods.Start();
            configMaps.Start();
            secrets.Start();
            serviceAccounts.Start();
            await Task.WhenAll(
                groups.WaitForSyncAsync(cancellationToken), pods.WaitForSyncAsync(cancellationToken),
                configMaps.WaitForSyncAsync(cancellationToken), secrets.WaitForSyncAsync(cancellationToken),
                serviceAccounts.WaitForSyncAsync(cancellationToken)).ConfigureAwait(false);
            caches.Attach(groups.Store);
            caches.Attach(configMaps.Store);
            caches.Attach(secrets.Store);
            caches.Attach(serviceAccounts.Store);
            _synced = true;
            logger.LogInformation("Caches synced: {Groups} groups, {Pods} pods; starting {Workers} workers", groups.Store.Count, pods.Store.Count, options.Workers);
            for (var i = 0; i < options.Workers; i++)
            {
                workers.Add(Task.Run(() => WorkAsync(queue, hardStop.Token), CancellationToken.None));
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: leadership lost or the host shuts down.
        }
        finally
        {
            _synced = false;
            queue.ShutDown();
            hardStop.CancelAfter(options.ShutdownGrace);
            await Task.WhenAll(workers).ConfigureAwait(false);
            // Only now: reconciles still finishing read from the caches, not live (the operator may not GET Secrets).
            caches.DetachAll();
            await groups.DisposeAsync().ConfigureAwait(false);
            await pods.DisposeAsync().ConfigureAwait(false);
            await configMaps.DisposeAsync().ConfigureAwait(false);
            await secrets.DisposeAsync().ConfigureAwait(false);
            await serviceAccounts.DisposeAsync().ConfigureAwait(false);
            metrics.ObserveQueue(() => 0);
            _queue = null;
            logger.LogInformation("Controller stopped");
        }
    }

    private async Task WorkAsync(WorkQueue queue, CancellationToken hardStop)
    {
        while (await queue.GetAsync().ConfigureAwait(false) is { } key)
        {
            try
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                var result = await reconciler.ReconcileAsync(key[..slash], key[(slash + 1)..], hardStop).ConfigureAwait(false);
                if (result.Outcome == ReconcileOutcome.Retry)
                {
                    var delay = queue.AddRateLimited(key);
                    logger.LogDebug("Retrying {Key} in {Delay} ({Reason})", key, delay, result.Reason);
                }
                else
                {
                    queue.Forget(key);
                    if (result.RequeueAfter is { } after)
                    {
                        queue.AddAfter(key, after);
                    }
                }
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                logger.LogWarning("Reconcile of {Key} cancelled at shutdown", key);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Reconcile of {Key} failed", key);
                metrics.Error(e.GetType().Name);
                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private void OnWatchError(Exception e) => logger.LogWarning("List/watch failed, relisting: {Error}", e.Message);

    /// <summary>
    /// Like controller-runtime's GenerationChangedPredicate: the operator's own status writes (and its
    /// finalizer) do not wake the group up again; spec changes, deletion and resyncs do.
    /// </summary>
    private static bool NeedsReconcile(ConfidentialPodGroup old, ConfidentialPodGroup current) =>
        old.Metadata.ResourceVersion == current.Metadata.ResourceVersion
        || old.Metadata.Generation != current.Metadata.Generation
        || old.Metadata.DeletionTimestamp != current.Metadata.DeletionTimestamp
        || current.Metadata.Finalizers?.Contains(ParmaLabels.Finalizer) != true;

    private static Task Enqueue(WorkQueue queue, IKubernetesObject<V1ObjectMeta> obj)
    {
        queue.Add(InformerStore<ConfidentialPodGroup>.KeyOf(obj.Metadata.NamespaceProperty ?? "default", obj.Metadata.Name ?? ""));
        return Task.CompletedTask;
    }

    private static Task EnqueueOwner(WorkQueue queue, IKubernetesObject<V1ObjectMeta> obj)
    {
        var owner = obj.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == ParmaApi.Kind && o.ApiVersion == ParmaApi.ApiVersion);
        if (owner is not null)
        {
            queue.Add(InformerStore<ConfidentialPodGroup>.KeyOf(obj.Metadata.NamespaceProperty ?? "default", owner.Name));
        }

        return Task.CompletedTask;
    }

    /// <summary>A ConfigMap matters to the group that owns it (its policy) and to groups that read it (settings, environment).</summary>
    private static Task EnqueueReferencing(WorkQueue queue, InformerStore<ConfidentialPodGroup> groups, V1ConfigMap configMap)
    {
        EnqueueOwner(queue, configMap);
        EnqueueIndexed(queue, groups, ConfigMapIndex, configMap);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A Secret matters to the groups that resolve images with it (spec.policy.imagePullSecrets, the
    /// template's imagePullSecrets, their ServiceAccount's imagePullSecrets) and to those whose environment
    /// reads it (its values are pinned in the policy).
    /// </summary>
    private static Task EnqueueReferencing(WorkQueue queue, InformerStore<ConfidentialPodGroup> groups, InformerStore<V1ServiceAccount> serviceAccounts, V1Secret secret)
    {
        EnqueueIndexed(queue, groups, SecretIndex, secret);
        foreach (var serviceAccount in serviceAccounts.ByIndex(ServiceAccountPullSecretIndex, $"{secret.Metadata.NamespaceProperty ?? "default"}/{secret.Metadata.Name}"))
        {
            EnqueueIndexed(queue, groups, ServiceAccountIndex, serviceAccount);
        }

        return Task.CompletedTask;
    }

    /// <summary>A ServiceAccount matters to the groups whose pods run as it: its imagePullSecrets are theirs when the template names none.</summary>
    private static Task EnqueueReferencing(WorkQueue queue, InformerStore<ConfidentialPodGroup> groups, V1ServiceAccount serviceAccount)
    {
        EnqueueIndexed(queue, groups, ServiceAccountIndex, serviceAccount);
        return Task.CompletedTask;
    }

    private static bool SamePullSecrets(V1ServiceAccount old, V1ServiceAccount current) =>
        (old.ImagePullSecrets ?? []).Select(s => s.Name).SequenceEqual((current.ImagePullSecrets ?? []).Select(s => s.Name), StringComparer.Ordinal);

    private static void EnqueueIndexed(WorkQueue queue, InformerStore<ConfidentialPodGroup> groups, string index, IKubernetesObject<V1ObjectMeta> referenced)
    {
        var ns = referenced.Metadata.NamespaceProperty ?? "default";
        foreach (var group in groups.ByIndex(index, $"{ns}/{referenced.Metadata.Name}"))
        {
            queue.Add(InformerStore<ConfidentialPodGroup>.KeyOf(ns, group.Metadata.Name!));
        }
    }

    private static bool SameData(V1Secret old, V1Secret current) =>
        old.Type == current.Type
        && (old.Data?.Count ?? 0) == (current.Data?.Count ?? 0)
        && (old.Data ?? new Dictionary<string, byte[]>()).All(p => current.Data!.TryGetValue(p.Key, out var value) && value.AsSpan().SequenceEqual(p.Value));
}
