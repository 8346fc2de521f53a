using System.Text.Json.Nodes;
using Parma.Policy.Framework;
using Parma.Policy.Input;
using Parma.Policy.Output;
using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>Turns a workload into the execution policy that allows exactly its containers.</summary>
public sealed class PolicyGenerator(PolicySettings settings, IImageFactsSource images)
{
    public async Task<GeneratedPolicy> GenerateAsync(
        Workload workload,
        ManifestSet manifests,
        GroupPolicyOptions defaults,
        CancellationToken cancellationToken = default)
    {
        var plan = await new PodPlanner(settings, images).PlanAsync(workload, manifests, defaults, cancellationToken).ConfigureAwait(false);
        return Render(plan);
    }

    public GeneratedPolicy Render(PodPlan plan)
    {
        var writer = new PolicyEntryWriter(settings);
        var policyData = new JsonObject
        {
            ["common"] = Common(plan.Options),
            ["containers"] = new JsonArray(plan.Containers.Select(c => (JsonNode)writer.Write(plan, c)).ToArray()),
            ["request_defaults"] = RequestDefaults(plan.Options),
            ["sandbox"] = Sandbox(plan),
            ["source"] = new JsonObject
            {
                ["framework_version"] = PolicyFramework.Version,
                ["kind"] = plan.Workload.Kind,
                ["name"] = plan.Workload.Name,
                ["namespace"] = plan.Namespace,
            },
        };
        var text = PolicyFramework.Compose(CanonicalJson.Write(policyData));
        var annotations = PolicyAnnotations.For(text, plan.Options.Format);
        var warnings = new List<string>();
        if (annotations.SizeBytes > PolicyAnnotations.AnnotationBudgetBytes * 3 / 4)
        {
            var advice = plan.Options.Format == PolicyFormat.AgentPolicy ? " Use the initdata format (gzip) to shrink it." : string.Empty;
            warnings.Add(
                $"{plan.Workload.Kind} {plan.Workload.Name}: the policy annotation takes {annotations.SizeBytes / 1024} KiB of the {PolicyAnnotations.AnnotationBudgetBytes / 1024} KiB Kubernetes allows for all annotations of a pod.{advice}");
        }

        var summaries = plan.Containers.Select(c => new ContainerSummary(c.Name, c.Role.ToString().ToLowerInvariant(), c.Image.PinnedReference, c.Image.Layers.Count)).ToList();
        return new GeneratedPolicy(plan.Workload, text, policyData, plan.Options.Format, annotations, summaries, warnings);
    }

    private JsonObject Common(GroupPolicyOptions options) => new()
    {
        ["allow_policy_logging"] = options.AllowLogging ?? false,
        ["allow_unencrypted_storage"] = options.EmptyDirMode == EmptyDirMode.BlockPlain,
        ["allowed_interface_flags"] = settings.AllowedInterfaceFlags,
        ["allowed_signals"] = new JsonArray(settings.AllowedSignals.Select(s => (JsonNode)s).ToArray()),
        ["copy_file_regex"] = JsonArrays.Of(settings.CopyFileRegex),
        ["forbidden_interfaces"] = JsonArrays.Of(settings.ForbiddenInterfaces),
        ["layer_src_prefix"] = settings.Runtime.LayerSrcPrefix,
        ["layers_path"] = settings.Runtime.LayersPath,
        ["oci_version"] = settings.Runtime.OciVersion,
        ["rlimits"] = new JsonArray(settings.Runtime.Rlimits.Select(r => (JsonNode)new JsonObject
        {
            ["hard"] = r.Hard,
            ["soft"] = r.Soft,
            ["type"] = r.Type,
        }).ToArray()),
        ["spath"] = settings.Runtime.StoragePath,
    };

    private JsonObject RequestDefaults(GroupPolicyOptions options)
    {
        var defaults = new SortedDictionary<string, bool>(settings.RequestDefaults.ToDictionary(), StringComparer.Ordinal);
        if (options.AllowStdio is { } stdio)
        {
            defaults["ReadStreamRequest"] = stdio;
            defaults["WriteStreamRequest"] = stdio;
            defaults["CloseStdinRequest"] = stdio;
        }

        if (options.AllowDiagnostics is { } diagnostics)
        {
            defaults["GetDiagnosticDataRequest"] = diagnostics;
            defaults["GetMetricsRequest"] = diagnostics;
            defaults["GetIPTablesRequest"] = diagnostics;
            defaults["ListInterfacesRequest"] = diagnostics;
            defaults["ListRoutesRequest"] = diagnostics;
        }

        return new JsonObject(defaults.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
    }

    private JsonObject Sandbox(PodPlan plan) => new()
    {
        ["cgroups_paths"] = JsonArrays.Of(settings.Runtime.CgroupsPaths),
        ["hostname"] = plan.HostnamePattern,
        ["name"] = RegexText.Anchored(plan.PodNamePattern),
        ["namespace"] = plan.Namespace,
        ["pidns"] = plan.ShareProcessNamespace,
        ["storages"] = new JsonArray(settings.Runtime.SandboxStorages.Select(s => (JsonNode)new JsonObject
        {
            ["driver"] = s.Driver,
            ["fstype"] = s.Fstype,
            ["mount_point"] = s.MountPoint,
            ["options"] = JsonArrays.Of(s.Options),
            ["size_limit"] = s.SizeLimit,
            ["source"] = s.Source,
        }).ToArray()),
    };
}
