namespace Parma.Testing;

/// <summary>Locates the repository, the shared data folder beside it, and the git-ignored tools folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder holding ParmaOperator.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>`../shared` beside the clone, or PARMA_SHARED when set.</summary>
    public static string Shared
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("PARMA_SHARED");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return Path.GetFullPath(fromEnv);
            }

            var beside = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            if (!Directory.Exists(beside))
            {
                throw new DirectoryNotFoundException(
                    $"The shared data folder was not found at {beside}; clone the repository beside it or set PARMA_SHARED.");
            }

            return beside;
        }
    }

    /// <summary>Tools installed by scripts/setup.sh (helm, kubectl).</summary>
    public static string Tools => Path.Combine(Root, ".tools");

    public static string InShared(params string[] parts) => Path.Combine([Shared, .. parts]);

    public static string InRepo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// A file in another project's own build output (same configuration and target framework as the running tests), e.g.
    /// ("guest-agent", "Parma.GuestAgent.dll"). A host started from there finds its own dependencies: a test project's
    /// output is resolved for the test project's frameworks (ASP.NET Core's, when any reference brings it in), so a host
    /// copied beside the tests can lack an assembly the shared framework supplies to the tests but not to the host.
    /// </summary>
    public static string BuildOutput(string projectFolder, string fileName)
    {
        var parts = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory).Split(Path.DirectorySeparatorChar);
        return Path.Combine([Root, projectFolder, .. parts[^3..], fileName]);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParmaOperator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"ParmaOperator.sln not found above {AppContext.BaseDirectory}.");
    }
}
