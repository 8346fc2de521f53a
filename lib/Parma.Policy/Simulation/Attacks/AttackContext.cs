using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// A simulated pod's life and the helpers attacks are written with: find a legitimate request, copy it,
/// change one field, and say where in the life the changed copy is sent.
/// </summary>
public sealed class AttackContext(KataHostSimulator host, PodPlan pod, JsonObject policyData, IReadOnlyList<AgentRequest> life)
{
    /// <summary>Whether the policy's request_defaults switch a request kind on.</summary>
    public bool Switched(string kind) => policyData["request_defaults"]?[kind] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True;

    public KataHostSimulator Host => host;

    public PodPlan Pod => pod;

    public IReadOnlyList<AgentRequest> Life => life;

    public ContainerPlan Pause => pod.Containers.First(c => c.Role == ContainerRole.Pause);

    /// <summary>The first application container (the one most attacks target).</summary>
    public ContainerPlan App => pod.Containers.First(c => c.Role == ContainerRole.App);

    /// <summary>The second application container, when the pod has one.</summary>
    public ContainerPlan? SecondApp => pod.Containers.Where(c => c.Role == ContainerRole.App).Skip(1).FirstOrDefault();

    /// <summary>Where the first request of this kind (that matches) is in the life, or -1.</summary>
    public int IndexOf(string kind, Func<JsonObject, bool>? match = null)
    {
        for (var i = 0; i < life.Count; i++)
        {
            if (life[i].Kind == kind && (match is null || match(life[i].Input)))
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexFor(string kind, ContainerPlan container) =>
        IndexOf(kind, r => r["container_id"]?.GetValue<string>() == host.ContainerId(container));

    /// <summary>A copy of the life's request at <paramref name="index"/>, to change.</summary>
    public JsonObject Copy(int index) => life[index].Input.DeepClone().AsObject();

    /// <summary>
    /// An attack made from the life's request at <paramref name="baseIndex"/> by <paramref name="change"/>,
    /// sent just before the life's request at <paramref name="position"/> (by default, instead of the base
    /// request). Nothing when the life has no such request.
    /// </summary>
    public IEnumerable<HostAttack> Change(int baseIndex, string name, string expectedReason, Action<JsonObject> change, int? position = null)
    {
        if (baseIndex < 0 || position < 0)
        {
            yield break;
        }

        var request = Copy(baseIndex);
        change(request);
        yield return new HostAttack(name, life[baseIndex].Kind, request, position ?? baseIndex, expectedReason);
    }

    /// <summary>
    /// A harmless variation of the life's request at <paramref name="baseIndex"/> that the policy must allow.
    /// A variation of a request that changes the policy state is sent instead of the original.
    /// </summary>
    public IEnumerable<HostAttack> Variant(int baseIndex, string name, Action<JsonObject> change)
    {
        if (baseIndex < 0)
        {
            yield break;
        }

        var request = Copy(baseIndex);
        change(request);
        var kind = life[baseIndex].Kind;
        yield return new HostAttack(name, kind, request, baseIndex, null, ReplacesOriginal: StateChanging.Contains(kind));
    }

    private static readonly HashSet<string> StateChanging = new(StringComparer.Ordinal)
    {
        "CreateSandboxRequest", "CreateContainerRequest", "StartContainerRequest", "RemoveContainerRequest",
    };

    /// <summary>An attack with a request of its own (a kind the life does not send), sent before the life's request at <paramref name="position"/>.</summary>
    public HostAttack Send(string kind, JsonObject request, int position, string name, string expectedReason) =>
        new(name, kind, request, position, expectedReason);

    /// <summary>The position right after the life's request at <paramref name="index"/>.</summary>
    public static int After(int index) => index < 0 ? -1 : index + 1;
}
