namespace Parma.Testing;

/// <summary>
/// Runs the kubectl 1.33 that scripts/setup.sh installs into .tools/, against one cluster: a private
/// kubeconfig and discovery cache in a temporary folder, so nothing is read from or written to the
/// user's ~/.kube.
/// </summary>
public sealed class Kubectl : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-kubectl-").FullName;
    private readonly string _binary;

    /// <param name="kubeconfigYaml">The kubeconfig to use (its current context names the cluster and user).</param>
    public Kubectl(string kubeconfigYaml)
    {
        _binary = RepoPaths.InRepo(".tools", "kubectl");
        if (!File.Exists(_binary))
        {
            throw new FileNotFoundException($"{_binary} is missing; run scripts/setup.sh (it installs kubectl 1.33 into .tools/).");
        }

        KubeconfigPath = Path.Combine(_work, "kubeconfig");
        File.WriteAllText(KubeconfigPath, kubeconfigYaml);
    }

    public string KubeconfigPath { get; }

    /// <summary>Runs kubectl with <paramref name="arguments"/>; the exit code is the caller's to check.</summary>
    public Task<ProcessResult> RunAsync(params string[] arguments) => RunWithInputAsync(null, arguments);

    /// <summary>Runs kubectl with <paramref name="standardInput"/> (for `-f -`).</summary>
    public Task<ProcessResult> RunWithInputAsync(string? standardInput, params string[] arguments) =>
        ProcessRunner.RunAsync(
            _binary,
            ["--kubeconfig", KubeconfigPath, "--cache-dir", Path.Combine(_work, "cache"), .. arguments],
            workingDirectory: RepoPaths.Root,
            standardInput: standardInput,
            environment: new Dictionary<string, string?> { ["HOME"] = _work },
            timeout: TimeSpan.FromMinutes(2));

    /// <summary>Runs kubectl and returns its standard output; a non-zero exit fails with kubectl's messages.</summary>
    public async Task<string> SucceedAsync(params string[] arguments) =>
        (await RunAsync(arguments)).EnsureSuccess("kubectl " + string.Join(' ', arguments)).StandardOutput;

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
