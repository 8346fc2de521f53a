using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// Start, signal, wait, remove, standard I/O and stats for containers the policy never saw (or started
/// twice, or stopped with a signal it does not allow), and SetPolicy.
/// </summary>
internal static class LifecycleAttacks
{
    private static readonly string Unknown = new('e', 64);

    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var start = c.IndexFor("StartContainerRequest", c.App);
        var signal = c.IndexFor("SignalProcessRequest", c.App);
        var wait = c.IndexFor("WaitProcessRequest", c.App);
        var remove = c.IndexFor("RemoveContainerRequest", c.App);
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Change(start, "start of an unknown container", "start.container_id: container_id", r => r["container_id"] = Unknown),
            c.Change(start, "container started twice", "start.container_id: container_id", _ => { }, AttackContext.After(start)),
            c.Change(signal, "signal to an unknown container", "container.container_id: container_id", r => r["container_id"] = Unknown),
            c.Change(signal, "SIGSTOP, which freezes the container", "signal.signal: signal", r => r["signal"] = 19),
            c.Change(wait, "wait for an unknown container", "container.container_id: container_id", r => r["container_id"] = Unknown),
            c.Change(remove, "removal of an unknown container", "container.container_id: container_id", r => r["container_id"] = Unknown),
        };

        // Requests the life does not send: made in the shape the shim sends them, for the app, once it runs.
        var running = AttackContext.After(start);
        if (running > 0)
        {
            var id = c.Host.ContainerId(c.App);
            foreach (var (kind, request) in new (string, JsonObject)[]
            {
                ("ReadStreamRequest", new JsonObject { ["container_id"] = id, ["exec_id"] = id, ["len"] = 32768 }),
                ("WriteStreamRequest", new JsonObject { ["container_id"] = id, ["exec_id"] = id, ["data"] = new JsonArray() }),
                ("CloseStdinRequest", new JsonObject { ["container_id"] = id, ["exec_id"] = id }),
                ("StatsContainerRequest", new JsonObject { ["container_id"] = id }),
            })
            {
                var unknown = request.DeepClone().AsObject();
                unknown["container_id"] = Unknown;
                var switched = c.Switched(kind);
                attacks.Add([
                    switched
                        ? new HostAttack($"{kind} for the running container, which the policy switches on", kind, request, running, null)
                        : c.Send(kind, request, running, $"{kind} for the running container, which the policy switches off", $"switch.{kind}: request_defaults"),
                    c.Send(kind, unknown, running, $"{kind} for an unknown container", switched ? "container.container_id: container_id" : $"switch.{kind}: request_defaults"),
                ]);
            }
        }

        attacks.Add([c.Send("SetPolicyRequest", new JsonObject { ["policy"] = "package agent_policy\ndefault CreateContainerRequest := true\n" }, Math.Max(0, running), "policy replaced", "set_policy: policy")]);
        return attacks.SelectMany(a => a);
    }
}
