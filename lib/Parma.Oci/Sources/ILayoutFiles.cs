namespace Parma.Oci.Sources;

/// <summary>Files of an OCI image layout or docker-save tree, in a directory or inside a tar archive.</summary>
internal interface ILayoutFiles : IDisposable
{
    string Describe(string relativePath);

    bool Exists(string relativePath);

    Stream Open(string relativePath);
}

internal sealed class DirectoryLayoutFiles(string root) : ILayoutFiles
{
    public string Describe(string relativePath) => Path.Combine(root, relativePath);

    public bool Exists(string relativePath) => File.Exists(Path.Combine(root, relativePath));

    public Stream Open(string relativePath)
    {
        var path = Path.Combine(root, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist; the image layout is incomplete.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    public void Dispose()
    {
    }
}
