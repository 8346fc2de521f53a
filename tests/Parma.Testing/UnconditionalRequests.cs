namespace Parma.Testing;

/// <summary>
/// The agent requests a policy allows with every field left out, once its settings switch them on
/// (`request_defaults`; a kind without a switch needs none): their rule reads no field, by design, or
/// reads only a list that, empty, changes nothing. Every other request kind is refused when sent with
/// every field left out. The reason is why nothing in the empty request needs checking.
/// </summary>
public static class UnconditionalRequests
{
    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DestroySandboxRequest"] = "it has no fields; stopping the sandbox is a denial of service the host can cause anyway by stopping the VM",
        ["GetOOMEventRequest"] = "it has no fields; it reports which container was killed for lack of memory",
        ["GuestDetailsRequest"] = "it carries two flags asking which guest details to report (memory block size, hotplug probe); nothing is changed",
        ["OnlineCPUMemRequest"] = "it brings hot-plugged CPUs and memory online: resources the host already controls through the hypervisor",
        ["RemoveStaleVirtiofsShareMountsRequest"] = "it has no fields; it unmounts virtio-fs shares no container uses",
        ["ListInterfacesRequest"] = "it has no fields; it reveals the guest's interfaces, which the host configured (off by default)",
        ["ListRoutesRequest"] = "it has no fields; it reveals the guest's routes, which the host configured (off by default)",
        ["GetMetricsRequest"] = "it has no fields; a debug switch that reveals guest metrics (off by default)",
        ["SetGuestDateTimeRequest"] = "it sets the guest clock, which the host controls through the hypervisor anyway (off by default)",
        ["ReseedRandomDevRequest"] = "it mixes host bytes into the guest's entropy pool, which adding never weakens (off by default)",
        ["GetIPTablesRequest"] = "it has no fields; a debug switch that reveals the guest's firewall rules (off by default)",
        ["MemHotplugByProbeRequest"] = "it announces hot-plugged memory at addresses the host names, memory the host controls through the hypervisor anyway (off by default)",
        ["UpdateEphemeralMountsRequest"] = "no switch; an empty list of storages remounts nothing (Kata sends one after every sandbox resize), and each storage it lists must be a remount of the policy's memory volumes (ephemeral.storages)",
    };

    /// <summary>Whether <paramref name="kind"/> sent as `{}` must be allowed under a policy with these request_defaults.</summary>
    public static bool AllowsEmpty(string kind, System.Text.Json.Nodes.JsonObject switches) =>
        Reasons.ContainsKey(kind) && (switches[kind] is null ? !IsSwitched(kind) : switches[kind]!.GetValue<bool>());

    /// <summary>The kinds listed that have a request_defaults switch (all but UpdateEphemeralMounts).</summary>
    private static bool IsSwitched(string kind) => kind != "UpdateEphemeralMountsRequest";
}
