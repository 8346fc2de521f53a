using System.Security.Cryptography.X509Certificates;

namespace Parma.Kube.Config;

/// <summary>Configuration inside a pod: KUBERNETES_SERVICE_HOST/PORT and the mounted service-account files.</summary>
public static class InClusterConfig
{
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static bool IsInCluster(string directory = DefaultServiceAccountDirectory) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && File.Exists(Path.Combine(directory, "token"));

    /// <param name="directory">The service-account mount (tests point it elsewhere).</param>
    /// <param name="environment">Reads environment variables (tests substitute it).</param>
    public static KubeClientConfig Load(string directory = DefaultServiceAccountDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException("Not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set.");
        }

        var tokenFile = Path.Combine(directory, "token");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"The service-account token {tokenFile} does not exist.");
        }

        var authorities = new X509Certificate2Collection();
        var caFile = Path.Combine(directory, "ca.crt");
        if (File.Exists(caFile))
        {
            authorities.ImportFromPemFile(caFile);
        }

        var namespaceFile = Path.Combine(directory, "namespace");
        var ns = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "default";
        // IPv6 service addresses need brackets in a URL.
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new KubeClientConfig
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            CertificateAuthorities = authorities,
            TokenProvider = new FileTokenProvider(tokenFile),
            Namespace = ns.Length == 0 ? "default" : ns,
        };
    }
}
