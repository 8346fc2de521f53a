namespace Parma.Testing;

/// <summary>
/// The `parma` command as a user has it after scripts/setup.sh: the published build at .tools/bin/parma,
/// called through PATH. The first use in a test process runs scripts/install-parma.sh, which returns at
/// once when the published build is current and publishes it otherwise (about a minute). Doc tests run
/// a document's shell lines through <see cref="RunShellAsync"/> exactly as written.
/// </summary>
public static class PublishedParma
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static bool _installed;

    /// <summary>The folder to put first on PATH.</summary>
    public static string BinDirectory => Path.Combine(RepoPaths.Tools, "bin");

    /// <summary>Makes sure .tools/bin/parma is the current build; returns its path.</summary>
    public static async Task<string> EnsureAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!_installed)
            {
                (await ProcessRunner.RunAsync(RepoPaths.InRepo("scripts", "install-parma.sh"), [], workingDirectory: RepoPaths.Root, timeout: TimeSpan.FromMinutes(15)))
                    .EnsureSuccess("scripts/install-parma.sh");
                _installed = true;
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return Path.Combine(BinDirectory, "parma");
    }

    /// <summary>The environment of a user's shell after <c>export PATH="$PWD/.tools/bin:$PATH"</c>.</summary>
    public static Dictionary<string, string?> Environment(IDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = $"{BinDirectory}{Path.PathSeparator}{System.Environment.GetEnvironmentVariable("PATH")}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Runs `parma ARGS` through PATH.</summary>
    public static async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var parma = await EnsureAsync();
        return await ProcessRunner.RunAsync(parma, arguments, workingDirectory ?? RepoPaths.Root, environment: Environment(), timeout: timeout);
    }

    /// <summary>
    /// Runs shell lines as a user would paste them (bash, stop at the first failing line), from the repository
    /// root unless told otherwise, with the published parma first on PATH.
    /// </summary>
    public static async Task<ProcessResult> RunShellAsync(string script, string? workingDirectory = null, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        await EnsureAsync();
        return await ProcessRunner.RunAsync("bash", ["-e", "-o", "pipefail", "-c", script], workingDirectory ?? RepoPaths.Root, environment: Environment(environment), timeout: timeout);
    }
}
