using System.Text.Json.Nodes;
using Parma.Policy.Input;
using Parma.Policy.Output;

namespace Parma.Policy.Generation;

/// <summary>
/// Per-group choices (a ConfidentialPodGroup's spec.policy, or the CLI's flags): annotation
/// format, layer verification, how emptyDirs are provided, extra exec rules and the
/// stdio/logging/diagnostics switches.
/// </summary>
public sealed record GroupPolicyOptions
{
    public PolicyFormat Format { get; init; } = PolicyFormat.AgentPolicy;

    /// <summary>A format chosen by the caller (the CLI's --format) that wins over the group's spec.policy.format.</summary>
    public PolicyFormat? FormatOverride { get; init; }

    public bool VerifyLayers { get; init; } = true;

    /// <summary>How the nodes' Kata runtime provides emptyDir volumes; encrypted disks unless the group's spec says otherwise.</summary>
    public EmptyDirMode EmptyDirMode { get; init; } = EmptyDirMode.BlockEncrypted;

    public IReadOnlyList<IReadOnlyList<string>> ExecCommands { get; init; } = [];

    /// <summary>Exec rules of one RE2 pattern per argument.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ExecRegex { get; init; } = [];

    /// <summary>Whether the declared exec commands may run with a terminal (`kubectl exec -t`).</summary>
    public bool ExecTerminal { get; init; }

    public bool? AllowStdio { get; init; }

    public bool? AllowLogging { get; init; }

    public bool? AllowDiagnostics { get; init; }

    public static GroupPolicyOptions FromGroupSpec(JsonObject? policy, GroupPolicyOptions defaults)
    {
        if (policy is null)
        {
            return defaults with { Format = defaults.FormatOverride ?? defaults.Format };
        }

        var format = policy.Str("format") switch
        {
            null => defaults.Format,
            "agent-policy" => PolicyFormat.AgentPolicy,
            "initdata" => PolicyFormat.InitData,
            var other => throw new PolicyInputException($"spec.policy.format: '{other}' is not agent-policy or initdata."),
        };
        var verification = policy.Str("layerVerification") switch
        {
            null => defaults.VerifyLayers,
            "dm-verity" => true,
            "none" => false,
            var other => throw new PolicyInputException($"spec.policy.layerVerification: '{other}' is not dm-verity or none."),
        };
        var emptyDirMode = policy.Str("emptyDirMode") switch
        {
            null => defaults.EmptyDirMode,
            EmptyDirModes.BlockEncrypted => EmptyDirMode.BlockEncrypted,
            EmptyDirModes.BlockPlain => EmptyDirMode.BlockPlain,
            EmptyDirModes.SharedFs => EmptyDirMode.SharedFs,
            var other => throw new PolicyInputException($"spec.policy.emptyDirMode: '{other}' is not {EmptyDirModes.BlockEncrypted}, {EmptyDirModes.BlockPlain} or {EmptyDirModes.SharedFs}."),
        };
        var exec = policy.Obj("exec");
        var commands = new List<IReadOnlyList<string>>(defaults.ExecCommands);
        commands.AddRange(StringArrays(exec.Arr("commands"), "spec.policy.exec.commands", "an array of strings"));
        var regex = new List<IReadOnlyList<string>>(defaults.ExecRegex);
        regex.AddRange(StringArrays(exec.Arr("regex"), "spec.policy.exec.regex", "an array of RE2 patterns, one per argument, e.g. [\"^/bin/sh$\", \"^-c$\", \"^echo [a-z]+$\"]"));

        var switches = policy.Obj("switches");
        return defaults with
        {
            Format = defaults.FormatOverride ?? format,
            VerifyLayers = verification,
            EmptyDirMode = emptyDirMode,
            ExecCommands = commands,
            ExecRegex = regex,
            ExecTerminal = exec.Bool("terminal") ?? defaults.ExecTerminal,
            AllowStdio = switches.Bool("stdio") ?? defaults.AllowStdio,
            AllowLogging = switches.Bool("logging") ?? defaults.AllowLogging,
            AllowDiagnostics = switches.Bool("diagnostics") ?? defaults.AllowDiagnostics,
        };
    }

    private static IEnumerable<IReadOnlyList<string>> StringArrays(JsonArray items, string field, string shape)
    {
        var index = 0;
        foreach (var item in items)
        {
            if (item is not JsonArray array || array.Any(a => a is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String))
            {
                throw new PolicyInputException($"{field}[{index}]: must be {shape}.");
            }

            yield return array.Select(a => a!.GetValue<string>()).ToList();
            index++;
        }
    }
}
