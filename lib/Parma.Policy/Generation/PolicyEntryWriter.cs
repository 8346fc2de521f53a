using System.Text.Json.Nodes;
using Parma.Policy.Settings;

namespace Parma.Policy.Generation;

/// <summary>Renders a <see cref="ContainerPlan"/> as an entry of policy_data.containers.</summary>
internal sealed class PolicyEntryWriter(PolicySettings settings)
{
    /// <summary>
    /// A layer entry. `size` (its tardev image's bytes, padded to 4096-byte blocks) bounds how much the guest
    /// agent reads from the host's layer source; the framework's rules do not read it.
    /// </summary>
    private static JsonObject Layer(TardevLayer layer)
    {
        var entry = new JsonObject { ["diff_id"] = layer.DiffId, ["id"] = layer.Id, ["root_hash"] = layer.RootHash };
        if (layer.Size is { } size)
        {
            entry["size"] = size;
        }

        return entry;
    }

    public JsonObject Write(PodPlan pod, ContainerPlan plan)
    {
        var layers = new JsonArray(LayerIds.TopMostFirst(plan.Image).Select(l => (JsonNode)Layer(l)).ToArray());

        var envPatterns = plan.Role == ContainerRole.Pause ? plan.Env.Patterns : [.. plan.Env.Patterns, .. settings.KubernetesEnvRegex];
        return new JsonObject
        {
            ["annotations"] = Annotations(pod, plan),
            ["exec"] = new JsonObject
            {
                ["commands"] = Arrays(plan.Exec.Commands),
                ["probes"] = Arrays(plan.Exec.Probes),
                ["regex"] = Arrays(plan.Exec.Regex),
                ["terminal"] = plan.Exec.Terminal,
            },
            ["image"] = plan.Image.PinnedReference,
            ["layers"] = layers,
            ["masked_paths"] = plan.Privileged ? new JsonArray() : JsonArrays.Of(settings.MaskedPaths),
            ["mounts"] = new JsonArray(plan.Mounts.Mounts.Select(m => (JsonNode)new JsonObject
            {
                ["destination"] = m.Destination,
                ["options"] = JsonArrays.Of(m.Options),
                ["source"] = m.Source.Pattern(settings),
                ["type"] = m.Type,
            }).ToArray()),
            ["name"] = plan.Name,
            ["namespaces"] = JsonArrays.Of(settings.Runtime.Namespaces),
            ["process"] = new JsonObject
            {
                ["apparmor_profiles"] = JsonArrays.Of(plan.ApparmorProfiles),
                ["args"] = JsonArrays.Of(plan.Args),
                ["capabilities"] = plan.Capabilities.ToJson(),
                ["cwd"] = plan.Cwd,
                ["env"] = JsonArrays.Of(plan.Env.Exact),
                ["env_regex"] = JsonArrays.Of(envPatterns),
                ["no_new_privileges"] = plan.NoNewPrivileges,
                ["oom_score_adj"] = new JsonArray(plan.OomScoreAdj.Min, plan.OomScoreAdj.Max),
                ["terminal"] = plan.Terminal,
                ["user"] = new JsonObject
                {
                    ["additional_gids"] = new JsonArray(plan.User.AdditionalGids.Select(g => (JsonNode)g).ToArray()),
                    ["gid"] = plan.User.Gid,
                    ["uid"] = plan.User.Uid,
                },
            },
            ["readonly_paths"] = plan.Privileged ? new JsonArray() : JsonArrays.Of(settings.ReadonlyPaths),
            ["role"] = plan.Role.ToString().ToLowerInvariant(),
            ["root_readonly"] = plan.ReadOnlyRoot,
            ["storages"] = new JsonArray(plan.Mounts.Storages.Select(s => (JsonNode)new JsonObject
            {
                ["driver"] = s.Driver,
                ["driver_options"] = JsonArrays.Of(s.DriverOptions),
                ["fs_group"] = s.FsGroupJson(),
                ["fstype"] = s.Fstype,
                ["mount_point"] = s.MountPoint.Pattern(settings),
                ["options"] = JsonArrays.Of(s.Options),
                ["shared"] = s.Shared,
                ["source"] = s.Source.Pattern(settings),
            }).ToArray()),
            ["sysctls"] = new JsonObject(plan.Sysctls.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["verify_layers"] = plan.VerifyLayers,
        };
    }

    private static JsonArray Arrays(IEnumerable<IReadOnlyList<string>> lists) => new(lists.Select(l => (JsonNode)JsonArrays.Of(l)).ToArray());

    private JsonObject Annotations(PodPlan pod, ContainerPlan plan)
    {
        var annotations = new JsonObject();
        foreach (var (key, pattern) in settings.Annotations)
        {
            annotations[key] = pattern;
        }

        annotations["io.kubernetes.cri.sandbox-name"] = RegexText.Anchored(pod.PodNamePattern);
        annotations["io.kubernetes.cri.sandbox-namespace"] = RegexText.Anchored(RegexText.Escape(pod.Namespace));
        if (plan.Role == ContainerRole.Pause)
        {
            annotations["io.kubernetes.cri.container-type"] = "^sandbox$";
            annotations["io.katacontainers.pkg.oci.container_type"] = "^pod_sandbox$";
        }
        else
        {
            annotations["io.kubernetes.cri.container-type"] = "^container$";
            annotations["io.katacontainers.pkg.oci.container_type"] = "^pod_container$";
            annotations["io.kubernetes.cri.container-name"] = RegexText.Anchored(RegexText.Escape(plan.Name));
            annotations["io.kubernetes.cri.image-name"] = RegexText.Anchored(RegexText.Escape(plan.Image.PinnedReference));
        }

        return annotations;
    }
}
