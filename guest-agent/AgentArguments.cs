using Parma.Agent.Runtime;

namespace Parma.GuestAgent;

/// <summary>The agent's command line: where to listen, the policy, the report provider and the backend.</summary>
internal sealed record AgentArguments
{
    public string Address { get; private init; } = "vsock:1024";

    public string? Policy { get; private init; }

    public string ReportProvider { get; private init; } = "auto";

    public string Backend { get; private init; } = "linux";

    public string StateDirectory { get; private init; } = "/run/parma-agent";

    public string? LayerRoot { get; private init; }

    public string CopyRoot { get; private init; } = "/";

    public string? AuditPath { get; private init; }

    public LayerMounts LayerMounts { get; private init; } = LayerMounts.Auto;

    public IReadOnlyList<string> LayerSources { get; private init; } = [];

    public long MaxLayerBytes { get; private init; } = RuntimeOptions.DefaultMaxLayerBytes;

    public const string Usage = """
        usage: parma-guest-agent [--address vsock:1024|serial:NAME|unix:PATH|PATH] [--policy FILE]
                                 [--report-provider auto|tsm|sev-guest|dev] [--backend linux|dev|none]
                                 [--state-dir DIR] [--layer-root DIR] [--layer-mounts auto|required|off] [--copy-root DIR] [--audit FILE]
                                 [--layer-source REGEX]... [--max-layer-bytes N]
          --policy           Rego text, initdata TOML or annotation value (e.g. the initdata device's file);
                             without it only a first SetPolicy is allowed
          --report-provider  where HOST_DATA comes from (dev: a local test key, for machines without SNP)
          --backend          linux (verify layers, bundle, runc), dev (plain child processes, NO isolation)
                             or none (decisions only: allowed requests succeed WITHOUT being carried out)
          --layer-mounts     linux backend: unpack verified layers and mount the overlay root file system
                             (auto: when the process may mount; required: fail creates that cannot)
          --copy-root        where files the host sends with CopyFile are written (default /, as in a UVM)
          --layer-source     a further place a layer storage's source may name (a regex over the whole source);
                             by default only the policy's layer file <layer_src_prefix>/<id>. Block devices are
                             accepted only this way, e.g. '[0-9a-f]{2}(/[0-9a-f]{2})*' for Kata's PCI paths
          --max-layer-bytes  most bytes read from a layer source whose policy entry has no size (default 4 GiB)
        """;

    public static AgentArguments Parse(string[] args)
    {
        var result = new AgentArguments();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            result = args[i] switch
            {
                "--address" or "--socket" => result with { Address = Value() },
                "--policy" => result with { Policy = Value() },
                // Choices are lower case; any case is accepted.
                "--report-provider" => result with { ReportProvider = Value().ToLowerInvariant() },
                "--backend" => result with { Backend = Value().ToLowerInvariant() is var b && RuntimeBackends.Names.Contains(b) ? b : throw new ArgumentException($"--backend {args[i]}: use {string.Join(", ", RuntimeBackends.Names)}") },
                "--state-dir" => result with { StateDirectory = Value() },
                "--layer-root" => result with { LayerRoot = Value() },
                "--copy-root" => result with { CopyRoot = Value() },
                "--audit" => result with { AuditPath = Value() },
                "--layer-mounts" => result with { LayerMounts = ParseLayerMounts(Value()) },
                "--layer-source" => result with { LayerSources = [.. result.LayerSources, ParseLayerSource(Value())] },
                "--max-layer-bytes" => result with { MaxLayerBytes = long.TryParse(Value(), out var max) && max > 0 ? max : throw new ArgumentException($"--max-layer-bytes {args[i]}: use a positive number of bytes") },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        return result;
    }

    public static string ParseLayerSource(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
            return pattern;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--layer-source {pattern}: not a regular expression: {e.Message}");
        }
    }

    public static LayerMounts ParseLayerMounts(string value) =>
        Enum.TryParse<LayerMounts>(value, ignoreCase: true, out var mounts) && !int.TryParse(value, out _)
            ? mounts
            : throw new ArgumentException($"--layer-mounts {value}: use auto, required or off");
}
