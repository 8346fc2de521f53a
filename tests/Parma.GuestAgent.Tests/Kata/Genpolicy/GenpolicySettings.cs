using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>genpolicy-settings.json as genpolicy reads it: the container templates, volume kinds and the policy_data sections copied from it.</summary>
internal sealed class GenpolicySettings(JsonObject settings)
{
    public static GenpolicySettings Load(string path) => new(JsonNode.Parse(File.ReadAllText(path))!.AsObject());

    /// <summary>pause_container or other_container.</summary>
    public JsonObject Container(bool pause) => settings.Obj(pause ? "pause_container" : "other_container")!;

    public JsonObject Volume(string kind) => settings.Obj("volumes")!.Obj(kind)!;

    public JsonObject Vfio => settings.Obj("devices")!.Obj("vfio")!;

    public JsonObject Common => settings.Obj("common")!;

    public JsonObject ClusterConfig => settings.Obj("cluster_config")!;

    public string OciVersion => settings.Obj("kata_config")!.Str("oci_version")!;

    public bool ConfigMapStorages => settings.Obj("kata_config")!.Bool("enable_configmap_secret_storages") ?? false;

    public IReadOnlyList<string> MountDestinations => settings.Strings("mount_destinations") ?? [];

    public IReadOnlyList<string> DefaultCaps => Common.Strings("default_caps")!;

    public IReadOnlyList<string> PrivilegedCaps => Common.Strings("privileged_caps")!;

    /// <summary>
    /// The policy_data sections copied from the settings, as genpolicy serialises its structs: only the
    /// fields those structs declare, generation-only fields skipped, storages in the agent's shape.
    /// </summary>
    public JsonObject PolicyDataSections()
    {
        var requests = settings.Obj("request_defaults")!;
        var exec = requests.Obj("ExecProcessRequest")!;
        var execDefaults = Pick(exec, "allowed_commands", "regex");
        if (exec["commands"] is JsonArray commands)
        {
            execDefaults["commands"] = commands.DeepClone();
        }

        return new JsonObject
        {
            ["common"] = Pick(Common, "cpath", "root_path", "sfprefix", "spath", "ipv4_a", "ip_p", "svc_name_downward_env", "dns_label", "default_caps", "privileged_caps"),
            ["sandbox"] = new JsonObject
            {
                ["storages"] = new JsonArray(settings.Obj("sandbox")!.Objects("storages").Select(s => (JsonNode)AgentShapes.Storage(s)).ToArray()),
            },
            ["request_defaults"] = new JsonObject
            {
                ["CreateContainerRequest"] = Pick(requests.Obj("CreateContainerRequest")!, "allow_env_regex"),
                ["CopyFileRequest"] = requests["CopyFileRequest"]!.DeepClone(),
                ["ExecProcessRequest"] = execDefaults,
                ["UpdateRoutesRequest"] = Pick(requests.Obj("UpdateRoutesRequest")!, "forbidden_device_names", "forbidden_source_regex"),
                ["UpdateInterfaceRequest"] = Pick(requests.Obj("UpdateInterfaceRequest")!, "allow_raw_flags", "forbidden_names", "forbidden_hw_addrs"),
                ["AddARPNeighborsRequest"] = Pick(requests.Obj("AddARPNeighborsRequest")!, "forbidden_device_names", "forbidden_cidrs_regex", "allowed_states"),
                ["CloseStdinRequest"] = requests["CloseStdinRequest"]!.DeepClone(),
                ["ReadStreamRequest"] = requests["ReadStreamRequest"]!.DeepClone(),
                ["UpdateEphemeralMountsRequest"] = requests["UpdateEphemeralMountsRequest"]!.DeepClone(),
                ["WriteStreamRequest"] = requests["WriteStreamRequest"]!.DeepClone(),
                ["GetDiagnosticDataRequest"] = requests["GetDiagnosticDataRequest"]!.DeepClone(),
            },
            ["devices"] = new JsonObject { ["vfio"] = new JsonObject { ["device_path"] = Vfio.Str("device_path"), ["nvidia"] = new JsonObject() } },
            ["cluster_config"] = new JsonObject
            {
                ["pause_container_image"] = ClusterConfig.Str("pause_container_image"),
                ["guest_pull"] = ClusterConfig.Bool("guest_pull"),
                ["emptydir_type"] = ClusterConfig.Str("emptydir_type"),
                ["cgroup_mount_extras_allowed"] = Json.Array(ClusterConfig.Strings("cgroup_mount_extras_allowed") ?? []),
            },
        };
    }

    private static JsonObject Pick(JsonObject source, params string[] keys) =>
        new(keys.Select(k => KeyValuePair.Create(k, source[k] ?? throw new InvalidDataException($"genpolicy settings: {k} is missing"))).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.DeepClone())));
}
