using Parma.Oci.Tarfs;

namespace Parma.Oci.Sources;

/// <summary>Random access to the members of an uncompressed tar file (a <c>docker save</c> or OCI archive).</summary>
internal sealed class TarArchiveFiles : ILayoutFiles
{
    private readonly string archive;
    private readonly Dictionary<string, (long Offset, long Size)> members = new(StringComparer.Ordinal);

    private TarArchiveFiles(string archive) => this.archive = archive;

    public static TarArchiveFiles Load(string archive)
    {
        if (!File.Exists(archive))
        {
            throw new FileNotFoundException($"No such image archive: {archive}", archive);
        }

        var files = new TarArchiveFiles(archive);
        var parser = new TarStreamParser(entry =>
        {
            if (entry.TypeFlag is (byte)'0' or 0)
            {
                files.members[Normalise(entry.PathText)] = (entry.DataOffset, entry.Size);
            }
        });
        using var stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read);
        var block = new byte[512];
        try
        {
            while (!parser.Ended)
            {
                if (parser.DataBytesToSkip > 0)
                {
                    var skip = Math.Min(parser.DataBytesToSkip, stream.Length - stream.Position);
                    stream.Seek(skip, SeekOrigin.Current);
                    parser.SkipData(skip);
                    if (parser.DataBytesToSkip > 0)
                    {
                        break;
                    }

                    continue;
                }

                var read = stream.Read(block);
                if (read == 0)
                {
                    break;
                }

                parser.Feed(block.AsSpan(0, read));
            }

            parser.Complete();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{archive} is not a readable tar archive: {e.Message}", e);
        }

        return files;
    }

    public string Describe(string relativePath) => $"{archive}:{relativePath}";

    public bool Exists(string relativePath) => members.ContainsKey(Normalise(relativePath));

    public Stream Open(string relativePath)
    {
        if (!members.TryGetValue(Normalise(relativePath), out var member))
        {
            throw new FileNotFoundException($"{archive} has no member '{relativePath}'; the archive is incomplete.");
        }

        var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        file.Seek(member.Offset, SeekOrigin.Begin);
        return new BoundedStream(file, member.Size);
    }

    public void Dispose()
    {
    }

    private static string Normalise(string path) => path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
}
