namespace Parma.Operator.Reads;

/// <summary>Whether a read may be answered from the informer cache.</summary>
internal enum Freshness
{
    /// <summary>From the watch cache (controller-runtime's cached reader): a stale answer is corrected by the watch event that re-queues the group.</summary>
    Cached,

    /// <summary>From the API server: acting on a stale answer would do harm that no later pass undoes.</summary>
    Live,
}

/// <summary>One place where the operator reads the cluster, and the freshness it needs there.</summary>
internal sealed record ReadSite(string Name, Freshness Freshness)
{
    public override string ToString() => $"{Name} ({Freshness})";
}

/// <summary>
/// Every read the operator makes, each with its freshness and why: the one place that says which reads
/// may be stale. The reconciler and the group-input reader name one of these at each call.
/// </summary>
internal static class ReadSites
{
    /// <summary>
    /// The group at the start of a pass. Cached: every write to it (finalizer patch, status patch) is
    /// conditional on the resourceVersion read, so a stale copy fails with 409 Conflict and changes
    /// nothing; after a Conflict the group's next read is live (<see cref="ClusterReader.MarkStale"/>).
    /// </summary>
    public static readonly ReadSite Group = new("group to reconcile", Freshness.Cached);

    /// <summary>
    /// The ConfigMaps, Secrets and ServiceAccount a policy is made from. Cached: a change to any of them
    /// comes through the watch and re-queues the groups that read it, and the policy is made again.
    /// </summary>
    public static readonly ReadSite GroupInputs = new("group inputs", Freshness.Cached);

    /// <summary>
    /// The policy ConfigMap, to skip a write when it already holds the policy. Cached: a later change to it
    /// re-queues its owner, which then writes it.
    /// </summary>
    public static readonly ReadSite PolicyConfigMapUnchanged = new("policy ConfigMap, unchanged?", Freshness.Cached);

    /// <summary>The policy ConfigMap before creating or patching it. Live: its owner is checked and the patch is conditional on the version read.</summary>
    public static readonly ReadSite PolicyConfigMapBeforeWrite = new("policy ConfigMap before a write", Freshness.Live);

    /// <summary>
    /// The group's pods, to count them and decide what to create and delete. Live: a pod created by the
    /// previous pass but not yet in the cache would be created a second time under the next free name.
    /// </summary>
    public static readonly ReadSite PodsToRoll = new("pods to roll", Freshness.Live);

    /// <summary>The group's pods and policy ConfigMap before they are deleted when the group is. Live: what is deleted must exist now.</summary>
    public static readonly ReadSite BeforeDelete = new("objects to delete", Freshness.Live);
}
