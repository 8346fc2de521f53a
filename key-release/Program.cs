using Parma.Api;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.KeyRelease;

// Usage: parma-key-release --config /etc/parma/key-release.json [--kubeconfig FILE] [--urls http://0.0.0.0:8080]
var configPath = Environment.GetEnvironmentVariable("PARMA_KEY_RELEASE_CONFIG");
string? kubeconfigPath = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--config")
    {
        configPath = args[i + 1];
    }
    else if (args[i] == "--kubeconfig")
    {
        kubeconfigPath = args[i + 1];
    }
}

if (string.IsNullOrEmpty(configPath))
{
    Console.Error.WriteLine("parma-key-release: --config FILE (or PARMA_KEY_RELEASE_CONFIG) is required");
    return 2;
}

try
{
    var configuration = KeyReleaseConfiguration.Load(configPath);
    var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
    IHostDataSource? hostData = null;
    if (configuration.Keys.Any(key => key.Policy.Group is not null))
    {
        // Policies naming a ConfidentialPodGroup follow its status: the service reads groups and pods from the cluster.
        var kubeConfig = kubeconfigPath is null ? KubeConfigLoader.LoadDefault() : KubeConfigLoader.LoadYaml(File.ReadAllText(kubeconfigPath));
        hostData = new KubernetesHostDataSource(new KubernetesClient(kubeConfig, ParmaJson.Options));
    }

    var verifier = new SnpReportVerifier(configuration.BuildRoots(baseDirectory));
    var app = KeyReleaseHost.Build(args, configuration.ReadSecrets(baseDirectory), verifier, hostData);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is KubeConfigException or InvalidDataException or IOException or ArgumentException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"parma-key-release: {e.Message}");
    return 2;
}
