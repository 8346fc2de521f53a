using Microsoft.Extensions.Logging.Abstractions;
using Parma.Agent.Hosting;
using Parma.Agent.Runtime;
using Parma.GuestAgent;
using Parma.Policy.Input;
using Parma.Policy.Output;

// The Parma guest agent: one per pod sandbox inside the UVM. It binds its policy to HOST_DATA,
// then serves the Kata agent API over ttrpc, enforcing the policy on every request.
AgentArguments arguments;
try
{
    arguments = AgentArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"parma-guest-agent: {e.Message}\n{AgentArguments.Usage}");
    return 2;
}

try
{
    var hostData = arguments.Policy is null ? null : PolicyFile.Read(arguments.Policy).HostData;
    Parma.Attestation.Guest.IAttestationReportProvider? provider = null;
    try
    {
        provider = ReportProviderChoice.Create(arguments.ReportProvider, hostData);
    }
    catch (Parma.Attestation.Guest.AttestationUnavailableException e)
    {
        // Serve anyway, refusing every request, so that the host learns why.
        Console.Error.WriteLine($"parma-guest-agent: {e.Message}");
    }

    var runtime = new RuntimeOptions
    {
        StateDirectory = arguments.StateDirectory,
        LayerSourceRoot = arguments.LayerRoot,
        LayerMounts = arguments.LayerMounts,
        CopyFileRoot = arguments.CopyRoot,
        LayerSourcePatterns = arguments.LayerSources,
        MaxLayerBytes = arguments.MaxLayerBytes,
        MountStorages = arguments.Backend == "linux",
        Log = line => Console.Error.WriteLine($"parma-guest-agent: {line}"),
    };
    var backend = RuntimeBackends.Create(arguments.Backend, runtime);
    if (RuntimeBackends.Warning(backend) is { } warning)
    {
        Console.Error.WriteLine($"WARNING: {warning}");
    }

    // Caught from before the socket exists, so that a SIGTERM sent as soon as it appears is a normal stop.
    using var signals = TerminationSignals.Catch();
    await using var audit = arguments.AuditPath is null ? null : new StreamWriter(arguments.AuditPath, append: true);
    await using var host = await AgentHost.StartAsync(new AgentHostOptions
    {
        Address = arguments.Address,
        PolicyPath = arguments.Policy,
        ReportProvider = provider,
        Backend = backend,
        AuditWriter = audit,
        Logger = NullLogger.Instance,
    });
    Console.Error.WriteLine($"parma-guest-agent: listening on {host.Address}; backend {backend.Name}; reports from {provider?.Name ?? "nowhere"}; " +
        (host.Policy.Refusal is { } refusal ? $"REFUSING EVERY REQUEST: {refusal}" : $"policy host_data {host.Policy.HostDataHex}"));
    // SIGTERM or Ctrl+C: disposing the host removes the containers (and their mounts) and the socket.
    var signal = await signals.WaitAsync();
    Console.Error.WriteLine($"parma-guest-agent: stopping on {signal}");
    return 0;
}
catch (Exception e) when (e is PolicyInputException or ArgumentException or IOException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"parma-guest-agent: {e.Message}");
    return 1;
}
