using System.CommandLine;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Policy.Simulation;
using Parma.Policy.Simulation.Attacks;

namespace Parma.Cli.Commands;

/// <summary>
/// <c>parma policy simulate -f MANIFESTS [--images LAYOUT] [--output FILE]</c>: the requests a Kata host sends
/// to start the workload's pod, run its probes and stop it, as a trace for `policy replay` and `agent replay`.
/// </summary>
internal static class PolicySimulateCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f") { Description = "Manifest YAML with the workload (repeatable).", Required = true };
        var configFiles = new Option<string[]>("--config-file", "-c") { Description = "YAML with ConfigMaps and Secrets the workload references for env values (repeatable)." };
        var workloadName = new Option<string?>("--workload", "-w") { Description = "Which workload to simulate when the manifests hold several (its name)." };
        var settings = new Option<string?>("--settings") { Description = "A complete settings file replacing the embedded defaults (as for generate)." };
        var settingsPatches = new Option<string[]>("--settings-patch") { Description = "A JSON-Patch drop-in applied to the settings (repeatable, in order)." };
        var images = new Option<string[]>("--images") { Description = "An OCI image layout whose images (by ref name) are used instead of their registry (repeatable; offline)." };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of objects that name none.", DefaultValueFactory = _ => "default" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host[:port] to reach over plain HTTP (repeatable)." };
        var dockerConfig = new Option<string?>("--docker-config") { Description = "Path of a Docker config.json with registry credentials." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Layer hash cache directory (default: ~/.cache/parma/layers)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the layer hash cache." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the trace to this file instead of standard output." };
        var network = new Option<bool>("--network") { Description = "Begin with the sandbox's network set-up (UpdateInterface, UpdateRoutes, AddARPNeighbors), as the shim sends it before CreateSandbox." };
        var attacks = new Option<bool>("--attacks") { Description = "Add the attack corpus: each a request of the life with one field changed, expected denied (the description names the check)." };
        var seed = new Option<string>("--seed") { Description = "Seed for the simulated runtime ids (sandbox and container ids, pod name suffixes).", DefaultValueFactory = _ => "parma" };

        var command = new Command(
            "simulate",
            "Print, as a trace ([{description, allowed, kind, request}]), the requests a Kata host sends to start the workload's pod, run its probes and stop it. Replay it with `policy replay` or `agent replay`.");
        foreach (var option in new Option[] { files, configFiles, workloadName, settings, settingsPatches, images, ns, insecure, dockerConfig, cacheDir, noCache, output, network, attacks, seed })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => PolicyCommandSupport.RunAsync(parse, async (stdout, stderr) =>
        {
            var policySettings = PolicySettingsLoader.Load(parse.GetValue(settings), parse.GetValue(settingsPatches) ?? []);
            var registryOptions = new RegistryClientOptions
            {
                InsecureRegistries = parse.GetValue(insecure) ?? [],
                Credentials = DockerConfigCredentials.Load(parse.GetValue(dockerConfig)),
            };
            var cache = parse.GetValue(noCache) ? null : new LayerCache(parse.GetValue(cacheDir) ?? LayerCache.DefaultDirectory);
            using var resolver = new ImageResolver(registryOptions, cache);
            var imageFacts = new ResolvingImageFactsSource(resolver, parse.GetValue(images) ?? []);

            var (workload, manifests) = await FindWorkloadAsync(parse.GetValue(files)!, parse.GetValue(configFiles) ?? [], parse.GetValue(ns)!, parse.GetValue(workloadName), cancellationToken);
            var plan = await new PolicyPipeline(policySettings, imageFacts).PlanAsync(workload, manifests, new GroupPolicyOptions(), cancellationToken);
            var host = new KataHostSimulator(policySettings, plan, parse.GetValue(seed)!);
            var life = host.PodLife(parse.GetValue(network) || parse.GetValue(attacks));
            IReadOnlyList<TraceCase> trace = life.Select(Trace.Allowed).ToList();
            if (parse.GetValue(attacks))
            {
                var policy = new PolicyGenerator(policySettings, imageFacts).Render(plan);
                trace = HostAttacks.Interleave(life, HostAttacks.For(host, plan, policy.PolicyData, life));
            }

            var text = Trace.Write(trace);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text, cancellationToken);
                await stderr.WriteLineAsync($"wrote {trace.Count} requests for {workload.Kind} {workload.Namespace}/{workload.Name} to {path}");
            }
            else
            {
                await stdout.WriteAsync(text);
            }

            return 0;
        }));
        return command;
    }

    private static async Task<(Workload Workload, ManifestSet Manifests)> FindWorkloadAsync(
        string[] files, string[] configFiles, string defaultNamespace, string? name, CancellationToken cancellationToken)
    {
        var found = new List<(Workload, ManifestSet)>();
        foreach (var file in files)
        {
            var manifests = ManifestSet.Parse(await File.ReadAllTextAsync(file, cancellationToken), file, defaultNamespace);
            foreach (var configFile in configFiles)
            {
                manifests.AddReferencedResources(await File.ReadAllTextAsync(configFile, cancellationToken), configFile, defaultNamespace);
            }

            found.AddRange(manifests.Workloads.Where(w => name is null || w.Name == name).Select(w => (w, manifests)));
        }

        return found.Count switch
        {
            1 => found[0],
            0 => throw new PolicyInputException(name is null
                ? $"{string.Join(", ", files)}: no workload that describes pods."
                : $"{string.Join(", ", files)}: no workload named {name}."),
            _ => throw new PolicyInputException(
                $"{string.Join(", ", files)}: {found.Count} workloads ({string.Join(", ", found.Select(f => f.Item1.Name))}); choose one with --workload."),
        };
    }
}
