using System.CommandLine;
using Parma.Policy.Patching;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Oci.Sources;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;
using Parma.Policy.Settings;

namespace Parma.Cli.Commands;

/// <summary><c>parma policy generate -f FILE</c>: the execution policy and host_data for every workload of the manifests.</summary>
internal static class PolicyGenerateCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f") { Description = "Manifest YAML (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, ConfidentialPodGroup; repeatable).", Required = true };
        var configFiles = new Option<string[]>("--config-file", "-c") { Description = "YAML with ConfigMaps and Secrets the workloads reference for env values (repeatable)." };
        var settings = new Option<string?>("--settings") { Description = "A complete settings file replacing the embedded defaults." };
        var settingsPatches = new Option<string[]>("--settings-patch") { Description = "A JSON-Patch drop-in applied to the settings (repeatable, in order)." };
        var format = ChoiceOption.Create("--format",
            "agent-policy or initdata (the annotation; default: the group's spec.policy.format, else agent-policy), or rego (write the policy text).",
            ["agent-policy", "initdata", "rego"], defaultValue: null);
        var output = new Option<string?>("--output", "-o") { Description = "A directory for NAME.rego, NAME.annotation and NAME.host-data, or - for stdout." };
        var patch = new Option<bool>("--patch")
        {
            Description = "Stamp the annotations into the pod templates of the manifest files in place. Only those values change: comments, " +
                "order and quoting stay, and a second run gives the same bytes; a flow-style ({...}) metadata or annotations mapping is rewritten as JSON (a note says so).",
        };
        var pinImages = new Option<bool>("--pin-images") { Description = "With --patch: also pin each container's image to the digest the policy allows (name@sha256:...)." };
        var images = new Option<string[]>("--images")
        {
            Description = "An OCI image layout (directory) holding the images by ref name (repeatable). Then every image must be in one: none is fetched from a registry.",
        };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of objects that name none.", DefaultValueFactory = _ => "default" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host[:port] to reach over plain HTTP (repeatable)." };
        var dockerConfig = new Option<string?>("--docker-config") { Description = "Path of a Docker config.json with registry credentials." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Layer hash cache directory (default: ~/.cache/parma/layers)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the layer hash cache." };

        var command = new Command("generate", "Generate the execution policy, its annotations and host_data for the workloads in the manifests.");
        foreach (var option in new Option[] { files, configFiles, settings, settingsPatches, format, output, patch, pinImages, images, ns, insecure, dockerConfig, cacheDir, noCache })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if (result.GetValue(pinImages) && !result.GetValue(patch))
            {
                result.AddError("--pin-images works with --patch");
            }
        });

        command.SetAction((parse, cancellationToken) => PolicyCommandSupport.RunAsync(parse, async (stdout, stderr) =>
        {
            var outputTarget = parse.GetValue(output);
            var layouts = parse.GetValue(images) ?? [];
            foreach (var layout in layouts)
            {
                try
                {
                    OciLayoutCatalog.Open(layout);
                }
                catch (Exception e) when (e is IOException or InvalidDataException)
                {
                    throw new PolicyInputException($"--images {layout}: {e.Message}");
                }
            }

            var summary = outputTarget == "-" ? stderr : stdout;
            var (annotationFormat, writeRego) = ParseFormat(parse.GetValue(format));
            var policySettings = PolicySettingsLoader.Load(parse.GetValue(settings), parse.GetValue(settingsPatches) ?? []);
            var registryOptions = new RegistryClientOptions
            {
                InsecureRegistries = parse.GetValue(insecure) ?? [],
                Credentials = DockerConfigCredentials.Load(parse.GetValue(dockerConfig)),
            };
            var cache = parse.GetValue(noCache) ? null : new LayerCache(parse.GetValue(cacheDir) ?? LayerCache.DefaultDirectory);
            using var progress = TerminalProgress.ForStandardError(parse);
            using var resolver = new ImageResolver(registryOptions, cache) { Progress = progress };
            var generator = new PolicyPipeline(policySettings, new ResolvingImageFactsSource(resolver, layouts, layoutsOnly: layouts.Length > 0));
            var defaults = new GroupPolicyOptions { FormatOverride = annotationFormat };

            var generated = new List<GeneratedPolicy>();
            foreach (var file in parse.GetValue(files)!)
            {
                var text = await File.ReadAllTextAsync(file, cancellationToken);
                var manifests = ManifestSet.Parse(text, file, parse.GetValue(ns)!);
                foreach (var configFile in parse.GetValue(configFiles) ?? [])
                {
                    manifests.AddReferencedResources(await File.ReadAllTextAsync(configFile, cancellationToken), configFile, parse.GetValue(ns)!);
                }

                if (manifests.Workloads.Count == 0)
                {
                    throw new PolicyInputException($"{file}: no workload that describes pods.");
                }

                var policies = new List<GeneratedPolicy>();
                foreach (var workload in manifests.Workloads)
                {
                    var policy = await generator.GenerateAsync(workload, manifests, defaults, cancellationToken);
                    progress?.Clear();
                    policies.Add(policy);
                    await WriteSummary(summary, policy);
                    foreach (var warning in policy.Warnings)
                    {
                        await stderr.WriteLineAsync($"warning: {warning}");
                    }
                }

                if (parse.GetValue(patch))
                {
                    var patched = ManifestPatcher.Patch(text, file, policies, parse.GetValue(pinImages));
                    foreach (var note in patched.Notes)
                    {
                        await stderr.WriteLineAsync($"note: {note}");
                    }

                    if (patched.Text == text)
                    {
                        await summary.WriteLineAsync($"{file} is up to date");
                    }
                    else
                    {
                        await File.WriteAllTextAsync(file, patched.Text, cancellationToken);
                        await summary.WriteLineAsync($"patched {file}");
                    }
                }

                generated.AddRange(policies);
            }

            if (outputTarget == "-")
            {
                foreach (var policy in generated)
                {
                    await stdout.WriteAsync(writeRego ? policy.PolicyText : OutputText(policy));
                }
            }
            else if (outputTarget is not null)
            {
                Directory.CreateDirectory(outputTarget);
                foreach (var policy in generated)
                {
                    var stem = Path.Combine(outputTarget, $"{policy.Workload.Namespace}.{policy.Workload.Name}");
                    var written = new List<(string Path, string Text)>
                    {
                        (stem + ".rego", policy.PolicyText),
                        (stem + ".annotation", policy.Annotations.Value + "\n"),
                        (stem + ".host-data", policy.HostDataHex + "\n"),
                    };
                    if (policy.Format == PolicyFormat.InitData)
                    {
                        written.Add((stem + ".initdata.toml", InitData.Create(policy.PolicyText).Toml));
                    }

                    foreach (var (path, content) in written)
                    {
                        await File.WriteAllTextAsync(path, content, cancellationToken);
                    }

                    await summary.WriteLineAsync($"wrote {string.Join(", ", written.Select(w => w.Path))}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static (PolicyFormat? Annotation, bool Rego) ParseFormat(string? value) => value switch
    {
        null => (null, false),
        "agent-policy" => (PolicyFormat.AgentPolicy, false),
        "initdata" => (PolicyFormat.InitData, false),
        "rego" => (null, true),
        _ => throw new ArgumentException($"--format '{value}' is not agent-policy, initdata or rego."),
    };

    private static string OutputText(GeneratedPolicy policy) =>
        policy.Format == PolicyFormat.InitData ? InitData.Create(policy.PolicyText).Toml : policy.Annotations.Value + "\n";

    private static async Task WriteSummary(TextWriter writer, GeneratedPolicy policy)
    {
        var format = policy.Format == PolicyFormat.AgentPolicy ? "agent-policy" : "initdata";
        await writer.WriteLineAsync($"{policy.Workload.Kind} {policy.Workload.Namespace}/{policy.Workload.Name} ({format})");
        var nameWidth = Math.Max(9, policy.Containers.Max(c => c.Name.Length));
        await writer.WriteLineAsync($"  {"container".PadRight(nameWidth)}  {"role",-5}  layers  image");
        foreach (var container in policy.Containers)
        {
            await writer.WriteLineAsync($"  {container.Name.PadRight(nameWidth)}  {container.Role,-5}  {container.Layers,6}  {container.Image}");
        }

        await writer.WriteLineAsync($"  policy: {policy.PolicyText.Length / 1024.0:F1} KiB; annotation {policy.Annotations.Key}: {policy.Annotations.SizeBytes / 1024.0:F1} KiB of {PolicyAnnotations.AnnotationBudgetBytes / 1024} KiB");
        await writer.WriteLineAsync($"  host_data: {policy.HostDataHex}");
    }
}
