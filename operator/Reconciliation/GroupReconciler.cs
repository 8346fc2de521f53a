using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Groups.Pods;
using Parma.Kube.Errors;
using Parma.Kube.Resources;
using Parma.Operator.Events;
using Parma.Operator.Observability;
using Parma.Operator.Pods;
using Parma.Operator.Policy;
using Parma.Operator.Reads;
using PodNames = Parma.Policy.Generation.PodNames;

namespace Parma.Operator.Reconciliation;

/// <summary>
/// One level-triggered pass over one group, reading the cluster through <see cref="ClusterReader"/> (each
/// read names in <see cref="ReadSites"/> whether its cache may answer; never from what an earlier pass
/// believed): finalizer → images pinned → policy → policy ConfigMap → status (which the
/// admission webhook stamps and checks pods against, so it leads) → pods created or replaced.
/// Every write is a create, a delete or a patch of the fields the operator owns (finalizers, status,
/// the policy ConfigMap's keys), never a PUT of a whole object read earlier: fields the operator's
/// types do not know, and labels or annotations other controllers add, survive its writes.
/// </summary>
internal sealed class GroupReconciler(
    IKubernetes client,
    ClusterReader reader,
    GroupInputsReader inputs,
    GroupPolicyBuilder policies,
    EventRecorder events,
    OperatorMetrics metrics,
    ReconcilerOptions options,
    ILogger<GroupReconciler> logger,
    TimeProvider? time = null)
{
    private const string AsExpectedMessage = "The policy is generated and pods are managed.";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ResourceClient<ConfidentialPodGroup> _groups = client.Resource<ConfidentialPodGroup>();
    private readonly ResourceClient<V1Pod> _pods = client.Resource<V1Pod>();
    private readonly ResourceClient<V1ConfigMap> _configMaps = client.Resource<V1ConfigMap>();

    public async Task<ReconcileResult> ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ReconcileResult result;
        try
        {
            result = await ReconcileOnceAsync(ns, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException)
        {
            if (e is KubeConflictException)
            {
                // A write conditional on the group's version lost: its cached copy is behind.
                reader.MarkStale<ConfidentialPodGroup>(ns, name);
            }

            var reason = e is KubeApiException api ? api.Reason ?? ((int)api.StatusCode).ToString(CultureInfo.InvariantCulture) : e.GetType().Name;
            logger.LogInformation("Reconcile of {Namespace}/{Group} will be retried: {Error}", ns, name, e.Message);
            metrics.Error(reason);
            result = ReconcileResult.Retry(reason);
        }

        metrics.Reconciled(result.Label, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<ReconcileResult> ReconcileOnceAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var group = await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, ns, name, cancellationToken).ConfigureAwait(false);
        if (group is null)
        {
            policies.Forget(ns, name);
            return ReconcileResult.Done();
        }

        if (group.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(group, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done();
        }

        if (group.Metadata.Finalizers?.Contains(ParmaLabels.Finalizer) != true)
        {
            group = await SetFinalizersAsync(group, [.. group.Metadata.Finalizers ?? [], ParmaLabels.Finalizer], cancellationToken).ConfigureAwait(false);
        }

        var runtimeClass = PodContract.RuntimeClassOf(group, options.Settings);
        GroupPolicy policy;
        try
        {
            CheckSpec(group, runtimeClass);
            var groupInputs = await ReadInputsAsync(group, cancellationToken).ConfigureAwait(false);
            policy = await policies.BuildAsync(group, groupInputs, cancellationToken).ConfigureAwait(false);
            await PolicyConfigMap.EnsureAsync(client, reader, group, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (GroupPolicyException e)
        {
            return await ReportPolicyFailureAsync(group, e, cancellationToken).ConfigureAwait(false);
        }

        var previousHostData = group.Status?.HostData;
        group = await WritePolicyStatusAsync(group, policy, cancellationToken).ConfigureAwait(false);
        if (previousHostData != policy.HostData)
        {
            metrics.PolicyGenerated();
            logger.LogInformation("Generated policy {HostData} for {Namespace}/{Group}", policy.HostData, ns, name);
            await events.RecordAsync(group, EventRecorder.Normal, GroupConditions.Reasons.PolicyGenerated,
                $"Generated the {policy.Format} policy with host_data {policy.HostData} ({policy.PolicyText.Length / 1024.0:F1} KiB) for {string.Join(", ", policy.Images.Select(i => i.Pinned))}",
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var warning in policy.Warnings)
        {
            logger.LogWarning("{Namespace}/{Group}: {Warning}", ns, name, warning);
        }

        await SyncPodsAsync(group, policy, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done(options.ImageRecheckInterval);
    }

    private async Task<GroupInputs> ReadInputsAsync(ConfidentialPodGroup group, CancellationToken cancellationToken)
    {
        try
        {
            return await inputs.ReadAsync(group.Metadata.NamespaceProperty ?? "default", group.Spec.Template.Spec, group.Spec.Policy, cancellationToken).ConfigureAwait(false);
        }
        catch (GroupInputException e)
        {
            throw new GroupPolicyException(e.Reason, e.Message, retry: false, e);
        }
    }

    private void CheckSpec(ConfidentialPodGroup group, string runtimeClass)
    {
        if (group.Metadata.Name!.Length > PodNames.MaxGroupNameLength)
        {
            throw new GroupPolicyException(GroupConditions.Reasons.InvalidSpec,
                $"the group name is {group.Metadata.Name.Length} characters; its pods carry it in the parma.dev/group label, which allows {PodNames.MaxGroupNameLength}. Use a shorter name.",
                retry: false);
        }

        if (!options.Settings.IsRuntimeClassAllowed(runtimeClass))
        {
            var allowed = string.Join(", ", new[] { options.Settings.RuntimeClassName }.Concat(options.Settings.AllowedRuntimeClasses).Distinct(StringComparer.Ordinal));
            throw new GroupPolicyException(GroupConditions.Reasons.InvalidSpec,
                $"runtimeClassName '{runtimeClass}' is not allowed by the operator's settings (allowed: {allowed}); use one of those or ask the cluster admin to allow it.",
                retry: false);
        }
    }

    private async Task<ConfidentialPodGroup> WritePolicyStatusAsync(ConfidentialPodGroup group, GroupPolicy policy, CancellationToken cancellationToken)
    {
        var status = GroupStatusWriter.Copy(group.Status);
        var generation = group.Metadata.Generation;
        status.ObservedGeneration = generation;
        status.HostData = policy.HostData;
        status.PolicyHash = policy.PolicyHash;
        status.PolicyRef = new PolicyReference { Name = PolicyConfigMap.NameOf(group.Metadata.Name!), Key = PolicyConfigMap.PolicyKey, Format = policy.Format };
        status.Images = [.. policy.Images];
        status.Selector = $"{ParmaLabels.Group}={group.Metadata.Name}";
        var conditions = status.Conditions ??= [];
        var now = _time.GetUtcNow();
        ConditionList.Set(conditions, GroupConditions.PolicyReady, true, GroupConditions.Reasons.PolicyGenerated,
            $"Policy {status.PolicyRef.Name}/{PolicyConfigMap.PolicyKey} ({policy.Format}) has host_data {policy.HostData}.", generation, now);
        if (!IsPodsFailing(conditions))
        {
            // Failing pods are judged after the pods are synced (WritePodStatusAsync), not here.
            ConditionList.Set(conditions, GroupConditions.Degraded, false, GroupConditions.Reasons.AsExpected, AsExpectedMessage, generation, now);
        }

        return await GroupStatusWriter.WriteAsync(client, group, status, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReconcileResult> ReportPolicyFailureAsync(ConfidentialPodGroup group, GroupPolicyException failure, CancellationToken cancellationToken)
    {
        logger.LogWarning("{Namespace}/{Group}: {Reason}: {Message}", group.Metadata.NamespaceProperty, group.Metadata.Name, failure.Reason, failure.Message);
        metrics.Error(failure.Reason);
        var status = GroupStatusWriter.Copy(group.Status);
        var generation = group.Metadata.Generation;
        status.ObservedGeneration = generation;
        var conditions = status.Conditions ??= [];
        var now = _time.GetUtcNow();
        var keeping = status.HostData is null ? "" : $" Running pods keep policy {status.HostData}.";
        ConditionList.Set(conditions, GroupConditions.PolicyReady, false, failure.Reason, failure.Message + keeping, generation, now);
        ConditionList.Set(conditions, GroupConditions.Degraded, true, failure.Reason, failure.Message, generation, now);
        await GroupStatusWriter.WriteAsync(client, group, status, cancellationToken).ConfigureAwait(false);
        await events.RecordAsync(group, EventRecorder.Warning, failure.Reason, failure.Message, cancellationToken).ConfigureAwait(false);
        return failure.Retry ? ReconcileResult.Retry(failure.Reason) : ReconcileResult.Blocked(failure.Reason, options.ImageRecheckInterval);
    }

    private async Task SyncPodsAsync(ConfidentialPodGroup group, GroupPolicy policy, CancellationToken cancellationToken)
    {
        var pods = await ListPodsAsync(ReadSites.PodsToRoll, group, cancellationToken).ConfigureAwait(false);
        // Read before finished pods are replaced below, so that a pod that failed is reported even though it is gone.
        var failing = pods.Select(PodStates.Failure).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var replicas = group.Spec.Replicas ?? 1;
        var maxUnavailable = RolloutPlanner.MaxUnavailable(group.Spec.UpdateStrategy?.RollingUpdate?.MaxUnavailable, replicas);
        var plan = RolloutPlanner.Plan(pods, policy.HostData, replicas, maxUnavailable);

        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in plan.Replace)
        {
            if (await DeletePodAsync(pod, cancellationToken).ConfigureAwait(false))
            {
                gone.Add(pod.Metadata.Name!);
                metrics.PodDeleted("replaced");
                await events.RecordAsync(group, EventRecorder.Normal, "PodReplaced",
                    $"Deleted pod {pod.Metadata.Name} (host_data {ShortOf(PodStates.HostData(pod))}) to replace it with one under policy {policy.PolicyHash}; a running pod's policy cannot change.",
                    cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var pod in plan.Remove)
        {
            if (await DeletePodAsync(pod, cancellationToken).ConfigureAwait(false))
            {
                gone.Add(pod.Metadata.Name!);
                metrics.PodDeleted(PodStates.IsFinished(pod) ? "finished" : "scaled-down");
            }
        }

        var created = new List<V1Pod>();
        if (plan.Create > 0)
        {
            var taken = new HashSet<string>(pods.Select(p => p.Metadata.Name!), StringComparer.Ordinal);
            using var names = PodNames.FreeGroupPodNames(group.Metadata.Name!, group.Metadata.Uid!, policy.HostData, taken).GetEnumerator();
            var collisions = 0;
            while (created.Count < plan.Create && names.MoveNext())
            {
                var pod = PodBuilder.Build(group, policy, options.Settings, names.Current);
                try
                {
                    created.Add(await _pods.CreateAsync(pod, options.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false));
                    metrics.PodCreated();
                }
                catch (KubeAlreadyExistsException) when (++collisions < 10)
                {
                    // A pod outside the group's selector holds the name; take the next one.
                }
            }
        }

        var remaining = pods.Where(p => !gone.Contains(p.Metadata.Name!)).Concat(created).ToList();
        await WritePodStatusAsync(group, policy, remaining, failing, replicas, maxUnavailable, cancellationToken).ConfigureAwait(false);
    }

    private async Task WritePodStatusAsync(
        ConfidentialPodGroup group, GroupPolicy policy, IReadOnlyList<V1Pod> pods, IReadOnlyList<string> failing, int replicas, int maxUnavailable, CancellationToken cancellationToken)
    {
        var active = pods.Where(PodStates.IsActive).ToList();
        var ready = active.Count(PodStates.IsReady);
        var updated = active.Count(p => PodStates.HostData(p) == policy.HostData);
        var status = GroupStatusWriter.Copy(group.Status);
        status.Replicas = active.Count;
        status.ReadyReplicas = ready;
        status.UpdatedReplicas = updated;
        var conditions = status.Conditions ??= [];
        var generation = group.Metadata.Generation;
        var now = _time.GetUtcNow();
        var minimum = Math.Max(0, replicas - maxUnavailable);
        if (ready >= minimum)
        {
            ConditionList.Set(conditions, GroupConditions.Available, true, GroupConditions.Reasons.MinimumReplicasAvailable,
                $"{ready} of {replicas} pods are ready (at least {minimum} required).", generation, now);
        }
        else
        {
            ConditionList.Set(conditions, GroupConditions.Available, false, GroupConditions.Reasons.MinimumReplicasUnavailable,
                $"{ready} of {replicas} pods are ready; at least {minimum} are required. Check the pods' events (RuntimeClass, SNP nodes, image pulls).", generation, now);
        }

        if (updated == replicas && active.Count == replicas && ready == replicas)
        {
            ConditionList.Set(conditions, GroupConditions.Progressing, false, GroupConditions.Reasons.RolloutComplete,
                $"All {replicas} pods run policy {policy.PolicyHash} and are ready.", generation, now);
        }
        else if (active.Count > updated)
        {
            ConditionList.Set(conditions, GroupConditions.Progressing, true, GroupConditions.Reasons.RollingUpdate,
                $"{updated} of {replicas} pods run policy {policy.PolicyHash}; replacing the others, at most {maxUnavailable} unavailable at a time.", generation, now);
        }
        else
        {
            ConditionList.Set(conditions, GroupConditions.Progressing, true, GroupConditions.Reasons.ScalingReplicas,
                $"{active.Count} pods exist ({ready} ready) of {replicas}.", generation, now);
        }

        var wasFailing = IsPodsFailing(conditions);
        if (failing.Count > 0)
        {
            var shown = failing.Count <= 5 ? string.Join("; ", failing) : string.Join("; ", failing.Take(5)) + $"; and {failing.Count - 5} more";
            ConditionList.Set(conditions, GroupConditions.Degraded, true, GroupConditions.Reasons.PodsFailing,
                $"{failing.Count} pod(s) failing: {shown}. Failed pods are replaced; for crash loops and pull errors see the pods' events and logs (kubectl describe pod).",
                generation, now);
        }
        else if (wasFailing)
        {
            ConditionList.Set(conditions, GroupConditions.Degraded, false, GroupConditions.Reasons.AsExpected, AsExpectedMessage, generation, now);
        }

        await GroupStatusWriter.WriteAsync(client, group, status, cancellationToken).ConfigureAwait(false);
        if (failing.Count > 0 && !wasFailing)
        {
            await events.RecordAsync(group, EventRecorder.Warning, GroupConditions.Reasons.PodsFailing, string.Join("; ", failing), cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsPodsFailing(IEnumerable<V1Condition>? conditions) =>
        ConditionList.Find(conditions, GroupConditions.Degraded) is { Status: "True", Reason: GroupConditions.Reasons.PodsFailing };

    private async Task<IReadOnlyList<V1Pod>> ListPodsAsync(ReadSite site, ConfidentialPodGroup group, CancellationToken cancellationToken)
    {
        var pods = await reader.ListAsync<V1Pod>(site, group.Metadata.NamespaceProperty, $"{ParmaLabels.Group}={group.Metadata.Name}", cancellationToken).ConfigureAwait(false);
        return [.. pods.Where(p => PodBuilder.IsControlledBy(p, group))];
    }

    /// <returns>false when the pod was already gone (or replaced by a namesake).</returns>
    private async Task<bool> DeletePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _pods.DeleteAsync(pod.Metadata.Name!, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeNotFoundException)
        {
            return false;
        }
        catch (KubeConflictException)
        {
            return false;
        }
    }

    private async Task FinalizeAsync(ConfidentialPodGroup group, CancellationToken cancellationToken)
    {
        if (group.Metadata.Finalizers?.Contains(ParmaLabels.Finalizer) != true)
        {
            return;
        }

        var pods = await ListPodsAsync(ReadSites.BeforeDelete, group, cancellationToken).ConfigureAwait(false);
        foreach (var pod in pods)
        {
            if (await DeletePodAsync(pod, cancellationToken).ConfigureAwait(false))
            {
                metrics.PodDeleted("group-deleted");
            }
        }

        var configMap = await reader.GetAsync<V1ConfigMap>(ReadSites.BeforeDelete, group.Metadata.NamespaceProperty, PolicyConfigMap.NameOf(group.Metadata.Name!), cancellationToken).ConfigureAwait(false);
        if (configMap is not null && PodBuilder.IsControlledBy(configMap, group))
        {
            try
            {
                await _configMaps.DeleteAsync(configMap.Metadata.Name!, configMap.Metadata.NamespaceProperty,
                    new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = configMap.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeNotFoundException)
            {
                // Already gone.
            }
        }

        await SetFinalizersAsync(group, [.. group.Metadata.Finalizers.Where(f => f != ParmaLabels.Finalizer)], cancellationToken).ConfigureAwait(false);
        policies.Forget(group.Metadata.NamespaceProperty ?? "default", group.Metadata.Name!);
        logger.LogInformation("Cleaned up {Namespace}/{Group}: {Pods} pods and the policy ConfigMap", group.Metadata.NamespaceProperty, group.Metadata.Name, pods.Count);
    }

    private async Task<ConfidentialPodGroup> SetFinalizersAsync(ConfidentialPodGroup group, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        // The resourceVersion makes this a compare-and-swap: a concurrent change fails with 409 and the key is retried.
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]),
                ["resourceVersion"] = group.Metadata.ResourceVersion,
            },
        };
        return await _groups.PatchAsync(group.Metadata.Name!, group.Metadata.NamespaceProperty, KubePatch.Merge(patch), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string ShortOf(string? hostData) => hostData is null ? "none" : ParmaLabels.ShortHash(hostData);
}
