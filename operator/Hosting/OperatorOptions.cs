using System.Globalization;
using Parma.Api;
using Parma.Hosting;

namespace Parma.Operator.Hosting;

/// <summary>The operator's command line (the chart's Deployment passes these flags).</summary>
public sealed record OperatorOptions
{
    public const string DefaultLayerCache = "/var/cache/parma/layers";

    public string SettingsPath { get; init; } = ParmaSettingsLoader.DefaultPath;

    /// <summary>Null: in-cluster configuration (or $KUBECONFIG / ~/.kube/config outside a cluster).</summary>
    public string? KubeconfigPath { get; init; }

    public bool LeaderElect { get; init; } = true;

    public string? LeaderElectionNamespace { get; init; } = Environment.GetEnvironmentVariable("POD_NAMESPACE");

    public string LeaseName { get; init; } = "parma-operator";

    public string Identity { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod
        ? pod
        : $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    public string LayerCacheDirectory { get; init; } = DefaultLayerCache;

    public int HttpPort { get; init; } = 8080;

    public int Workers { get; init; } = 4;

    /// <summary>How often tags are resolved again to notice a moved tag.</summary>
    public TimeSpan ImageRecheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>OCI image layouts consulted before registries (e.g. the pause image on air-gapped clusters).</summary>
    public IReadOnlyList<string> ImageLayouts { get; init; } = [];

    /// <summary>Leader election timings (tests shorten them).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public const string Usage = """
        Parma.Operator [--settings PATH] [--kubeconfig PATH] [--leader-elect true|false]
          [--leader-election-namespace NS] [--lease-name NAME] [--identity NAME] [--layer-cache DIR]
          [--http-port PORT] [--workers N] [--image-recheck-interval SECONDS] [--image-layout DIR]...
          [--lease-duration SECONDS] [--renew-deadline SECONDS] [--retry-period SECONDS]
        """;

    /// <summary>Parses the flags; unknown flags and bad values throw <see cref="ArgumentException"/> naming them.</summary>
    public static OperatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new OperatorOptions();
        var layouts = new List<string>();
        var reader = new FlagReader(args, message => new ArgumentException($"{message}\n{Usage}"));
        while (reader.MoveNext())
        {
            var flag = reader.Flag;

            options = flag switch
            {
                "--settings" => options with { SettingsPath = reader.Value() },
                "--kubeconfig" => options with { KubeconfigPath = reader.Value() },
                "--leader-elect" => options with { LeaderElect = Bool(flag, reader.Value()) },
                "--leader-election-namespace" => options with { LeaderElectionNamespace = reader.Value() },
                "--lease-name" => options with { LeaseName = reader.Value() },
                "--identity" => options with { Identity = reader.Value() },
                "--layer-cache" => options with { LayerCacheDirectory = reader.Value() },
                "--http-port" => options with { HttpPort = Int(flag, reader.Value(), 0, 65535) },
                "--workers" => options with { Workers = Int(flag, reader.Value(), 1, 256) },
                "--image-recheck-interval" => options with { ImageRecheckInterval = Seconds(flag, reader.Value()) },
                "--lease-duration" => options with { LeaseDuration = Seconds(flag, reader.Value()) },
                "--renew-deadline" => options with { RenewDeadline = Seconds(flag, reader.Value()) },
                "--retry-period" => options with { RetryPeriod = Seconds(flag, reader.Value()) },
                "--image-layout" => AddLayout(options, layouts, reader.Value()),
                // ASP.NET Core's own switches (e.g. --urls, --environment) pass through to the host.
                _ when flag.StartsWith("--", StringComparison.Ordinal) && IsHostFlag(flag) => Skip(options, reader),
                _ => throw new ArgumentException($"unknown argument '{reader.Argument}'.\n{Usage}"),
            };
        }

        if (options.LeaderElect && string.IsNullOrEmpty(options.LeaderElectionNamespace))
        {
            throw new ArgumentException("--leader-election-namespace (or the POD_NAMESPACE environment variable) is required with --leader-elect true.");
        }

        return options with { ImageLayouts = layouts };
    }

    private static readonly HashSet<string> HostFlags = new(StringComparer.OrdinalIgnoreCase) { "--urls", "--environment", "--contentRoot", "--applicationName" };

    private static bool IsHostFlag(string flag) => HostFlags.Contains(flag);

    private static OperatorOptions Skip(OperatorOptions options, FlagReader reader)
    {
        reader.SkipValue();
        return options;
    }

    private static OperatorOptions AddLayout(OperatorOptions options, List<string> layouts, string directory)
    {
        if (!File.Exists(Path.Combine(directory, "index.json")))
        {
            throw new ArgumentException($"--image-layout {directory}: not an OCI image layout (no index.json).");
        }

        layouts.Add(directory);
        return options;
    }

    private static bool Bool(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new ArgumentException($"{flag} '{value}': expected true or false."),
    };

    private static int Int(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{flag} '{value}': expected an integer from {min} to {max}.");

    private static TimeSpan Seconds(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{flag} '{value}': expected a positive number of seconds.");
}
