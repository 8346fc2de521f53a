using System.Globalization;
using Parma.Api;
using Parma.Hosting;

namespace Parma.Webhook;

/// <summary>The webhook's command line (the chart's Deployment passes these flags).</summary>
public sealed partial record WebhookOptions
{
    public const string DefaultCertificate = "/etc/parma/tls/tls.crt";
    public const string DefaultKey = "/etc/parma/tls/tls.key";
    public const string DefaultLayerCache = "/var/cache/parma/layers";

    public string CertificatePath { get; init; } = DefaultCertificate;

    public string KeyPath { get; init; } = DefaultKey;

    /// <summary>HTTPS port of the admission endpoints (0: pick a free port).</summary>
    public int Port { get; init; } = 8443;

    /// <summary>Plain-HTTP port of /metrics, /healthz and /readyz (0: pick a free port; -1: none).</summary>
    public int MetricsPort { get; init; } = 8080;

    public string SettingsPath { get; init; } = ParmaSettingsLoader.DefaultPath;

    /// <summary>Null: in-cluster configuration (or $KUBECONFIG / ~/.kube/config outside a cluster).</summary>
    public string? KubeconfigPath { get; init; }

    public string LayerCacheDirectory { get; init; } = DefaultLayerCache;

    /// <summary>
    /// The namespace label (value "true") that opts a namespace's ordinary pods in; the chart's
    /// webhook.namespaceOptInLabel, which also selects the namespace-pods webhook entries.
    /// </summary>
    public string NamespaceOptInLabel { get; init; } = ParmaLabels.NamespaceEnabled;

    /// <summary>OCI image layouts consulted before registries (e.g. the pause image on air-gapped clusters).</summary>
    public IReadOnlyList<string> ImageLayouts { get; init; } = [];

    /// <summary>
    /// DEVELOPMENT AND BENCHMARKS ONLY: groups, their policy ConfigMaps and namespaces read once from this
    /// YAML file instead of the API server. Never use it in a cluster: nothing keeps it in step with the groups.
    /// </summary>
    public string? GroupFile { get; init; }

    /// <summary>Time an admission may take before it is answered with a denial (kube-apiserver waits at most 10 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the certificate files are checked for a new certificate.</summary>
    public TimeSpan CertificatePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest AdmissionReview body accepted (kube-apiserver's own limit is 3 MiB per object).</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024 + 64 * 1024;

    public const string Usage = """
        Parma.Webhook [--tls-cert PATH] [--tls-key PATH] [--port PORT] [--metrics-port PORT]
          [--settings PATH] [--kubeconfig PATH] [--layer-cache DIR] [--image-layout DIR]... [--namespace-opt-in-label KEY]
          [--request-timeout SECONDS] [--cert-poll-interval SECONDS] [--max-request-bytes N]
          [--group-file PATH  (development and benchmarks only: groups from a file instead of the API server)]
        """;

    /// <summary>Parses the flags; unknown flags and bad values throw <see cref="WebhookStartupException"/> naming them.</summary>
    public static WebhookOptions Parse(IReadOnlyList<string> args)
    {
        var options = new WebhookOptions();
        var layouts = new List<string>();
        var reader = new FlagReader(args, message => new WebhookStartupException($"{message}\n{Usage}"));
        while (reader.MoveNext())
        {
            var flag = reader.Flag;

            switch (flag)
            {
                case "--tls-cert": options = options with { CertificatePath = reader.Value() }; break;
                case "--tls-key": options = options with { KeyPath = reader.Value() }; break;
                case "--port": options = options with { Port = Int(flag, reader.Value(), 0, 65535) }; break;
                case "--metrics-port": options = options with { MetricsPort = Int(flag, reader.Value(), -1, 65535) }; break;
                case "--settings": options = options with { SettingsPath = reader.Value() }; break;
                case "--kubeconfig": options = options with { KubeconfigPath = reader.Value() }; break;
                case "--layer-cache": options = options with { LayerCacheDirectory = reader.Value() }; break;
                case "--image-layout": layouts.Add(reader.Value()); break;
                case "--namespace-opt-in-label": options = options with { NamespaceOptInLabel = LabelKey(flag, reader.Value()) }; break;
                case "--group-file": options = options with { GroupFile = reader.Value() }; break;
                case "--request-timeout": options = options with { RequestTimeout = Seconds(flag, reader.Value(), 29) }; break;
                case "--cert-poll-interval": options = options with { CertificatePollInterval = Seconds(flag, reader.Value(), 3600) }; break;
                case "--max-request-bytes": options = options with { MaxRequestBodyBytes = Int(flag, reader.Value(), 1024, int.MaxValue) }; break;
                case "--urls" or "--environment" or "--contentRoot" or "--applicationName":
                    // ASP.NET Core's own switches pass through to the host.
                    reader.SkipValue();
                    break;
                default:
                    throw new WebhookStartupException($"unknown argument '{reader.Argument}'.\n{Usage}");
            }
        }

        return options with { ImageLayouts = layouts };
    }

    private static string LabelKey(string flag, string value) =>
        LabelKeyPattern().IsMatch(value) && value.Length <= 317
            ? value
            : throw new WebhookStartupException($"{flag}: '{value}' is not a label key ([prefix/]name).");

    [System.Text.RegularExpressions.GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex LabelKeyPattern();

    private static int Int(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new WebhookStartupException($"{flag}: '{value}' is not a whole number from {min} to {max}.");

    private static TimeSpan Seconds(string flag, string value, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= max
            ? TimeSpan.FromSeconds(s)
            : throw new WebhookStartupException($"{flag}: '{value}' is not a number of seconds above 0 and at most {max}.");
}
