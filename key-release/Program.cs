using Parma.Attestation.Verification;
using Parma.KeyRelease;

// Usage: parma-key-release --config /etc/parma/key-release.json [--urls http://0.0.0.0:8080]
var configPath = Environment.GetEnvironmentVariable("PARMA_KEY_RELEASE_CONFIG");
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--config")
    {
        configPath = args[i + 1];
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
    if (configuration.Keys.Any(key => key.Policy.Group is not null))
    {
        // Group-following policies need the Kubernetes-backed IHostDataSource (lib/Parma.Kube), not wired yet.
        Console.Error.WriteLine("parma-key-release: policies naming a group need a Kubernetes host-data source, which this build does not include");
        return 2;
    }

    var verifier = new SnpReportVerifier(configuration.BuildRoots(baseDirectory));
    var app = KeyReleaseHost.Build(args, configuration.ReadSecrets(baseDirectory), verifier);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"parma-key-release: {e.Message}");
    return 2;
}
