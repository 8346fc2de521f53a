using System.CommandLine;
using Parma.Agent.Hosting;
using Parma.Agent.Runtime;
using Parma.Attestation.Guest;
using Parma.Policy.Output;

namespace Parma.Cli.Commands;

/// <summary><c>parma agent serve --socket PATH --policy P</c>: an enforcing agent on a Unix socket (or vsock) until Ctrl+C.</summary>
internal static class AgentServeCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--socket", "-s") { Description = "Where to listen: a Unix socket path, unix:PATH or vsock:[CID:]PORT.", Required = true };
        var policy = new Option<string?>("--policy", "-p") { Description = "The policy (Rego, initdata TOML or annotation value). Without it only a first SetPolicy is allowed." };
        var provider = ChoiceOption.Create("--report-provider", "Where HOST_DATA comes from: auto (tsm, then sev-guest), tsm, sev-guest, or dev (a local test key; NOT AMD).", [.. ReportProviderChoice.Names], "auto");
        var devHostData = new Option<string?>("--dev-host-data") { Description = "With --report-provider dev: the HOST_DATA (64 hex digits) the simulated launch fixed; default: the policy's host_data." };
        var backend = ChoiceOption.Create("--backend",
            "linux: verify layers, write bundles, run with runc. dev: plain child processes, NO isolation. none: decisions only, an allowed request is answered with success without acting (for replaying host traffic against a policy).",
            [.. RuntimeBackends.Names], "linux");
        var stateDir = new Option<string?>("--state-dir") { Description = "Where bundles are written (default: a directory under the temp directory)." };
        var layerRoot = new Option<string?>("--layer-root") { Description = "Look up layer files under this directory instead of the host paths in the requests." };
        var layerMounts = ChoiceOption.ForEnum("--layer-mounts",
            "linux backend: unpack the verified layers and mount each container's overlay root file system (auto: when this process may mount; required: fail creates that cannot; off).",
            LayerMounts.Auto);
        var copyRoot = new Option<string?>("--copy-root") { Description = "Resolve the guest paths the host names (CopyFile files, storage mount points) under this directory (default: / for linux and none, as in a UVM; for dev, a directory under the state directory, so that a workstation's /run is left alone)." };
        var audit = new Option<string?>("--audit") { Description = "Append the audit log (JSON lines) to this file instead of standard error." };
        var layerSource = new Option<string[]>("--layer-source")
        {
            Description = "A further place a layer storage's source may name (a regular expression over the whole source); by default only the policy's layer file <layer_src_prefix>/<layer id>. Block devices are accepted only this way, e.g. '[0-9a-f]{2}(/[0-9a-f]{2})*' for Kata's PCI paths.",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxLayerBytes = new Option<long>("--max-layer-bytes")
        {
            Description = "Most bytes read from a layer source whose policy entry records no size.",
            DefaultValueFactory = _ => RuntimeOptions.DefaultMaxLayerBytes,
        };
        var command = new Command("serve", "Serve the Kata agent API, enforcing the policy on every request after binding it to HOST_DATA. Runs until interrupted.");
        foreach (var option in new Option[] { socket, policy, provider, devHostData, backend, stateDir, layerRoot, layerMounts, copyRoot, audit, layerSource, maxLayerBytes })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => PolicyCommandSupport.RunAsync(parse, async (output, error) =>
        {
            var policyPath = parse.GetValue(policy);
            var hostData = policyPath is null ? null : PolicyFile.Read(policyPath).HostData;
            var devHex = parse.GetValue(devHostData);
            IAttestationReportProvider? reports = null;
            try
            {
                reports = ReportProviderChoice.Create(parse.GetValue(provider)!, hostData, devHex is null ? null : Convert.FromHexString(devHex));
            }
            catch (AttestationUnavailableException e)
            {
                await error.WriteLineAsync($"warning: {e.Message}; every request will be refused");
            }

            var backendName = parse.GetValue(backend)!;
            var stateDirectory = parse.GetValue(stateDir) ?? Path.Combine(Path.GetTempPath(), $"parma-agent-{Environment.ProcessId}");
            var runtime = new RuntimeOptions
            {
                StateDirectory = stateDirectory,
                LayerSourceRoot = parse.GetValue(layerRoot),
                LayerMounts = ChoiceOption.ToEnum<LayerMounts>(parse.GetValue(layerMounts)!),
                CopyFileRoot = parse.GetValue(copyRoot) ?? DefaultCopyRoot(backendName, stateDirectory),
                LayerSourcePatterns = parse.GetValue(layerSource) ?? [],
                MaxLayerBytes = parse.GetValue(maxLayerBytes),
            };
            var runtimeBackend = RuntimeBackends.Create(backendName, runtime);
            if (RuntimeBackends.Warning(runtimeBackend) is { } warning)
            {
                await error.WriteLineAsync($"WARNING: {warning}");
            }

            // Caught from before the socket exists, so that a SIGTERM sent as soon as it appears is a normal stop.
            using var signals = TerminationSignals.Catch();
            var auditPath = parse.GetValue(audit);
            await using var auditWriter = auditPath is null ? null : new StreamWriter(auditPath, append: true);
            await using var host = await AgentHost.StartAsync(new AgentHostOptions
            {
                Address = parse.GetValue(socket)!,
                PolicyPath = policyPath,
                ReportProvider = reports,
                Backend = runtimeBackend,
                AuditWriter = auditWriter ?? error,
            }, cancellationToken);
            await output.WriteLineAsync($"listening on {host.Address}; backend: {runtimeBackend.Name}; reports: {reports?.Name ?? "none"}");
            await output.WriteLineAsync(host.Policy.Refusal is { } refusal
                ? $"REFUSING EVERY REQUEST: {refusal}"
                : host.Policy.AwaitingSetPolicy ? "no policy yet: waiting for SetPolicy" : $"policy bound: host_data {host.Policy.HostDataHex}");
            await output.FlushAsync(cancellationToken);

            // SIGTERM or Ctrl+C: disposing the host removes the containers (unmounting their root file systems) and the socket.
            var signal = await signals.WaitAsync(cancellationToken);
            await output.WriteLineAsync($"stopping{(signal is null ? string.Empty : $" on {signal}")}: removing containers and {host.Address}");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Where the host's guest paths resolve when --copy-root is not given: "/" where the agent is the
    /// guest's (linux) or acts on nothing (none); under the state directory for dev, which runs on a
    /// workstation with no isolation and must not write a replayed trace's files into its /run.
    /// </summary>
    internal static string DefaultCopyRoot(string backend, string stateDirectory) =>
        backend == "dev" ? Path.Combine(stateDirectory, "guest-root") : "/";
}
