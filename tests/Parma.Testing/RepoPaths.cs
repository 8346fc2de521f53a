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
