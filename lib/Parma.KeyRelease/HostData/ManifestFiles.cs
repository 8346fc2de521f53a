using Parma.KeyRelease.Configuration;

namespace Parma.KeyRelease.HostData;

/// <summary>A manifest file to read, and whether the configuration named it itself (rather than a directory holding it).</summary>
internal sealed record ManifestFile(string Path, bool Named);

/// <summary>
/// Expands the configuration's manifest entries: a file is itself; a directory (e.g. a Git checkout) is every
/// <c>*.yaml</c>/<c>*.yml</c> below it, in ordinal path order, skipping dot-files and dot-directories such as <c>.git</c>.
/// </summary>
internal static class ManifestFiles
{
    public static IReadOnlyList<ManifestFile> Expand(string baseDirectory, IEnumerable<string> entries, string what)
    {
        var files = new List<ManifestFile>();
        foreach (var entry in entries)
        {
            var path = Path.GetFullPath(entry, baseDirectory);
            if (File.Exists(path))
            {
                files.Add(new ManifestFile(path, Named: true));
            }
            else if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                    .Where(file => IsManifest(path, file))
                    .Order(StringComparer.Ordinal)
                    .Select(file => new ManifestFile(file, Named: false))
                    .ToList();
                if (found.Count == 0)
                {
                    throw new KeyReleaseConfigurationException($"{what} entry '{entry}' is the directory {path}, which holds no *.yaml or *.yml file");
                }

                files.AddRange(found);
            }
            else
            {
                throw new KeyReleaseConfigurationException($"{what} entry '{entry}' ({path}) does not exist");
            }
        }

        return files;
    }

    private static bool IsManifest(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file);
        if (relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
        {
            return false;
        }

        return file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal);
    }
}
