using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Policy.Input;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>
/// The policy genpolicy would write for a pod: the stock rules.rego followed by
/// <c>policy_data := {…}</c>, whose containers are derived here from the pod's YAML, the stock
/// genpolicy-settings.json and the images' facts, and whose other sections are copied from the
/// settings. This is our own re-implementation of what genpolicy computes (it cannot be built or
/// reach registries here); it never looks at the requests the policy will decide.
/// </summary>
internal sealed class GenpolicyPolicy
{
    private const string InitDataAnnotation = "io.katacontainers.config.hypervisor.cc_init_data";

    private readonly GenpolicySettings _settings;
    private readonly IReadOnlyDictionary<string, ImageFacts> _images;

    public GenpolicyPolicy(GenpolicySettings settings, IReadOnlyDictionary<string, ImageFacts> images)
    {
        _settings = settings;
        _images = images;
    }

    /// <summary>The policy text for the one pod or deployment in <paramref name="podYaml"/>; ConfigMaps from <paramref name="configYaml"/> feed env references.</summary>
    public string Compose(string rules, string podYaml, string? configYaml = null) =>
        $"{rules}\npolicy_data := {PolicyData(podYaml, configYaml).ToJsonString(new JsonSerializerOptions { WriteIndented = true })}";

    public JsonObject PolicyData(string podYaml, string? configYaml = null)
    {
        var documents = YamlDocuments.Parse(podYaml, "pod.yaml").OfType<JsonObject>().ToList();
        var configMaps = documents.Concat(configYaml is null ? [] : YamlDocuments.Parse(configYaml, "config_map.yaml").OfType<JsonObject>())
            .Where(d => d.Str("kind") == "ConfigMap").ToList();
        var workload = documents.Single(d => d.Str("kind") is "Pod" or "Deployment");
        var pod = PodResource.From(workload, _settings.ClusterConfig.Str("pause_container_image")!);
        var processes = new ProcessBuilder(_settings, pod, configMaps);
        var mounts = new MountBuilder(_settings, pod);
        var containers = new JsonArray();
        for (var i = 0; i < pod.Containers.Count; i++)
        {
            containers.Add(Container(pod, pod.Containers[i], pause: i == 0, processes, mounts));
        }

        var data = _settings.PolicyDataSections();
        data.Insert(0, "containers", containers);
        return data;
    }

    private JsonObject Container(PodResource pod, JsonObject container, bool pause, ProcessBuilder processes, MountBuilder mountBuilder)
    {
        var template = _settings.Container(pause);
        var image = Image(container.Str("image")!);
        var privileged = container.Obj("securityContext").Bool("privileged") ?? false;
        var privilegedMounts = privileged || (pause && pod.Containers.Any(c => c.Obj("securityContext").Bool("privileged") == true));
        var process = processes.Build(container, image, pause);
        var (mounts, storages) = mountBuilder.Build(container, image, pause, privilegedMounts);

        var devices = new JsonArray();
        var linuxDevices = new JsonArray();
        foreach (var volumeDevice in container.Objects("volumeDevices"))
        {
            devices.Add(AgentShapes.Device(volumeDevice.Str("devicePath")!));
            linuxDevices.Add(new JsonObject { ["Type"] = string.Empty, ["Path"] = volumeDevice.Str("devicePath") });
        }

        var patterns = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (GpuCount(container) is > 0 and var gpus)
        {
            for (var i = 0; i < gpus; i++)
            {
                devices.Add(AgentShapes.Device(_settings.Vfio.Str("device_path")!, _settings.Vfio.Obj("nvidia").Str("gpu_gk_device_type")!));
            }

            patterns[_settings.Vfio.Str("anno_key_regex")!] = _settings.Vfio.Obj("nvidia").Str("gpu_anno_value_regex")!;
        }

        if (!pause)
        {
            patterns[@"^io\.kubernetes\.container\.terminationMessagePath$"] = "^/.*$";
            patterns[@"^io\.kubernetes\.container\.terminationMessagePolicy$"] = "^(File|FallbackToLogsOnError)$";
        }

        foreach (var device in template.Obj("Linux").Objects("Devices"))
        {
            linuxDevices.Add(new JsonObject { ["Type"] = device.Str("Type"), ["Path"] = device.Str("Path") });
        }

        var sysctl = template.Obj("Linux").StringMap("Sysctl") ?? new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pod.Sysctls)
        {
            sysctl[name] = value;
        }

        var oci = new JsonObject
        {
            ["Version"] = _settings.OciVersion,
            ["Process"] = process.ToJson(),
            ["Root"] = new JsonObject
            {
                ["Path"] = template.Obj("Root").Str("Path"),
                ["Readonly"] = container.Obj("securityContext").Bool("readOnlyRootFilesystem") ?? false,
            },
        };
        if (mounts.Count > 0)
        {
            oci["Mounts"] = new JsonArray(mounts.Select(m => (JsonNode)m.ToJson()).ToArray());
        }

        var annotations = Annotations(pod, container, pause, template);
        if (annotations.Count > 0)
        {
            oci["Annotations"] = Json.Object(annotations);
        }

        var linux = new JsonObject { ["Namespaces"] = Namespaces(pause, pod.HostNetwork) };
        var masked = template.Obj("Linux").Strings("MaskedPaths") is { Count: > 0 } m ? m : privileged ? [] : DefaultMaskedPaths;
        var readOnly = template.Obj("Linux").Strings("ReadonlyPaths") is { Count: > 0 } r ? r : privileged ? [] : DefaultReadonlyPaths;
        linux["MaskedPaths"] = Json.Array(masked);
        linux["ReadonlyPaths"] = Json.Array(readOnly);
        linux["Devices"] = linuxDevices;
        if (sysctl.Count > 0)
        {
            linux["Sysctl"] = Json.Object(sysctl);
        }

        oci["Linux"] = linux;
        return new JsonObject
        {
            ["OCI"] = oci,
            ["storages"] = storages,
            ["devices"] = devices,
            ["sandbox_pidns"] = !pause && pod.ShareProcessNamespace,
            ["exec_commands"] = ExecCommands(container),
            ["runtime_anno_patterns"] = Json.Object(patterns),
        };
    }

    /// <summary>containerd's default masked and read-only paths for an unprivileged container.</summary>
    private static readonly List<string> DefaultMaskedPaths =
        ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"];

    private static readonly List<string> DefaultReadonlyPaths = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    private ImageFacts Image(string reference) =>
        _images.TryGetValue(reference, out var facts) ? facts : throw new InvalidDataException($"image-facts.json has no facts for {reference}");

    private static SortedDictionary<string, string> Annotations(PodResource pod, JsonObject container, bool pause, JsonObject template)
    {
        var annotations = new SortedDictionary<string, string>(pod.Annotations ?? new SortedDictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        annotations.Remove(InitDataAnnotation);
        foreach (var (key, value) in template.StringMap("Annotations") ?? [])
        {
            annotations.TryAdd(key, value);
        }

        if (pod.SandboxName is { } name)
        {
            annotations.TryAdd("io.kubernetes.cri.sandbox-name", $"^{name}$");
        }

        if (!pause)
        {
            var image = container.Str("image")!;
            annotations.TryAdd("io.kubernetes.cri.image-name", image.Contains(':', StringComparison.Ordinal) ? image : image + ":latest");
        }

        annotations["io.kubernetes.cri.sandbox-namespace"] = pod.Namespace;
        if (container.Str("name") is { Length: > 0 } containerName)
        {
            annotations.TryAdd("io.kubernetes.cri.container-name", containerName);
        }

        if (pause)
        {
            var netns = pod.HostNetwork ? "^/var/run/netns/cnitest" : "^/var/run/netns/cni";
            annotations.TryAdd("nerdctl/network-namespace", netns + "-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        }

        return annotations;
    }

    private static JsonArray Namespaces(bool pause, bool hostNetwork)
    {
        var types = new List<string> { "ipc" };
        if (!pause || !hostNetwork)
        {
            types.Add("uts");
        }

        types.Add("mount");
        return new JsonArray(types.Select(t => (JsonNode)new JsonObject { ["Type"] = t, ["Path"] = string.Empty }).ToArray());
    }

    /// <summary>The exec commands of the container's probes and lifecycle hooks, in genpolicy's order.</summary>
    private static JsonArray ExecCommands(JsonObject container)
    {
        var commands = new JsonArray();
        foreach (var probe in new[] { container.Obj("livenessProbe"), container.Obj("readinessProbe"), container.Obj("startupProbe"), container.Obj("lifecycle").Obj("postStart"), container.Obj("lifecycle").Obj("preStop") })
        {
            if (probe.Obj("exec").Strings("command") is { } command)
            {
                commands.Add(Json.Array(command));
            }
        }

        return commands;
    }

    /// <summary>The passthrough GPUs the container's limits ask for, under the settings' resource names; null when it names none.</summary>
    private int? GpuCount(JsonObject container)
    {
        var limits = container.Obj("resources").StringMap("limits");
        var keys = _settings.Vfio.Obj("nvidia").Strings("pgpu_resource_keys") ?? [];
        if (limits is null || keys.Count == 0)
        {
            return null;
        }

        var matched = keys.Where(limits.ContainsKey).ToList();
        if (matched.Count == 0)
        {
            return null;
        }

        var total = 0;
        foreach (var key in matched)
        {
            if (!int.TryParse(limits[key], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return null;
            }

            total += n;
        }

        return total;
    }
}
