using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>
/// Each request kind whose rule checks fields, sent with every field left out (`{}`; over the socket,
/// the protobuf default message), where the life sends its first request of that kind: a check that
/// reads a missing field must refuse it, never let it through for want of something to compare.
/// </summary>
internal static class EmptyRequestAttacks
{
    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var sandbox = c.IndexOf("CreateSandboxRequest");
        var pidns = sandbox >= 0 && c.Life[sandbox].Input["sandbox_pidns"]?.GetValue<bool>() == true;
        var expected = new (string Kind, string Reason)[]
        {
            ("CreateSandboxRequest", pidns ? "sandbox.pidns: sandbox_pidns" : "sandbox.storages: storages: 0 sandbox storages"),
            ("CreateContainerRequest", "create."),
            ("StartContainerRequest", "start.container_id: container_id"),
            ("ExecProcessRequest", "exec.container_id: container_id"),
            ("SignalProcessRequest", "container.container_id: container_id"),
            ("CopyFileRequest", "copy.path: path"),
            ("UpdateInterfaceRequest", "interface.name: interface.name"),
            ("UpdateRoutesRequest", "route.routes: routes.Routes"),
            ("AddARPNeighborsRequest", "neighbor.neighbors: neighbors.ARPNeighbors"),
        };
        foreach (var (kind, reason) in expected)
        {
            var at = c.IndexOf(kind);
            if (at >= 0)
            {
                yield return c.Send(kind, new JsonObject(), at, $"{kind} with every field left out", reason);
            }
        }
    }
}
