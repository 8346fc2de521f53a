namespace Parma.Testing;

/// <summary>
/// The agent requests a policy allows whatever their fields say, once its settings switch them on
/// (`request_defaults`): their rule reads no field, by design. Every other request kind is refused
/// when sent with every field left out. The reason is why nothing in the request needs checking.
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
        ["TtyWinResizeRequest"] = "it sets a terminal's rows and columns; a wrong size only garbles the host's own view",
        ["ListInterfacesRequest"] = "it has no fields; it reveals the guest's interfaces, which the host configured (off by default)",
        ["ListRoutesRequest"] = "it has no fields; it reveals the guest's routes, which the host configured (off by default)",
        ["GetMetricsRequest"] = "it has no fields; a debug switch that reveals guest metrics (off by default)",
        ["SetGuestDateTimeRequest"] = "it sets the guest clock, which the host controls through the hypervisor anyway (off by default)",
        ["ReseedRandomDevRequest"] = "it mixes host bytes into the guest's entropy pool, which adding never weakens (off by default)",
        ["GetDiagnosticDataRequest"] = "a debug switch that reveals guest diagnostics (off by default)",
    };
}
