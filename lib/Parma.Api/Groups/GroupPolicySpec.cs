using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using k8s.Models;

namespace Parma.Api;

public sealed class GroupPolicySpec
{
    public const string AgentPolicyFormat = "agent-policy";
    public const string InitDataFormat = "initdata";
    public const string DmVerity = "dm-verity";
    public const string NoLayerVerification = "none";
    public const string BlockEncryptedEmptyDirs = "block-encrypted";
    public const string BlockPlainEmptyDirs = "block-plain";
    public const string SharedFsEmptyDirs = "shared-fs";

    [Description("agent-policy: the Rego text in io.katacontainers.config.agent.policy; initdata: a cc_init_data TOML document in io.katacontainers.config.hypervisor.cc_init_data.")]
    [AllowedValues(AgentPolicyFormat, InitDataFormat)]
    [DefaultValue(AgentPolicyFormat)]
    public string? Format { get; set; }

    [Description("A ConfigMap in the group's namespace holding RFC 6902 JSON-Patch overrides of the generator settings.")]
    public ConfigMapKeyReference? SettingsRef { get; set; }

    [Description("Commands the host may exec in the containers, beyond probes.")]
    public ExecAllowList? Exec { get; set; }

    [Description("Request families the policy allows.")]
    public PolicySwitches? Switches { get; set; }

    [Description("dm-verity pins every image layer by its root hash; none allows any layer (development only).")]
    [AllowedValues(DmVerity, NoLayerVerification)]
    [DefaultValue(DmVerity)]
    public string? LayerVerification { get; set; }

    [Description("How the nodes' Kata runtime provides disk-backed emptyDir volumes (its emptydir_mode), which the policy must match. block-encrypted: a disk per volume that the guest encrypts and integrity-protects under a key it makes and never lets out. block-plain: such a disk, NOT encrypted (the policy then allows unencrypted storage). shared-fs: a directory in guest memory.")]
    [AllowedValues(BlockEncryptedEmptyDirs, BlockPlainEmptyDirs, SharedFsEmptyDirs)]
    [DefaultValue(BlockEncryptedEmptyDirs)]
    public string? EmptyDirMode { get; set; }

    [Description("Secrets (kubernetes.io/dockerconfigjson) used to resolve the images; in addition to the template's imagePullSecrets.")]
    public List<V1LocalObjectReference>? ImagePullSecrets { get; set; }
}

public sealed class ConfigMapKeyReference
{
    public const string DefaultKey = "settings.json";

    [Required]
    [RegularExpression(Patterns.Dns1123Subdomain)]
    public string Name { get; set; } = "";

    [Description("Key holding the overrides. Defaults to settings.json.")]
    [RegularExpression(Patterns.ConfigMapKey)]
    public string? Key { get; set; }
}

public sealed class ExecAllowList
{
    [Description("Each entry is one exact argv.")]
    public List<List<string>>? Commands { get; set; }

    [Description("Each entry is one RE2 pattern per argument; every pattern must match its whole argument and the argument count must be equal.")]
    public List<List<string>>? Regex { get; set; }

    [Description("Allow these commands (not probes) to run with a terminal, as `kubectl exec -t` asks.")]
    public bool? Terminal { get; set; }
}

public sealed class PolicySwitches
{
    [Description("Allow the host to read containers' stdout/stderr (ReadStream).")]
    public bool? Stdio { get; set; }

    [Description("Allow the host to read the agent's logs.")]
    public bool? Logging { get; set; }

    [Description("Allow diagnostic requests (metrics, guest details, stats).")]
    public bool? Diagnostics { get; set; }
}

public sealed class GroupUpdateStrategy
{
    public const string RollingUpdateType = "RollingUpdate";

    [AllowedValues(RollingUpdateType)]
    [DefaultValue(RollingUpdateType)]
    public string? Type { get; set; }

    public RollingUpdateParameters? RollingUpdate { get; set; }
}

public sealed class RollingUpdateParameters
{
    [Description("Pods that may be unavailable during a rollout: a count or a percentage of replicas (rounded down, at least 1). Defaults to 1.")]
    [IntOrStringSchema(Patterns.PercentOrCount)]
    public IntOrString? MaxUnavailable { get; set; }
}
