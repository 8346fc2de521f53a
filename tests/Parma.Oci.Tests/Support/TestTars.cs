using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Parma.Oci.Tests.Support;

/// <summary>Small deterministic layer tars for tests.</summary>
internal static class TestTars
{
    public static readonly DateTimeOffset Epoch = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>A tar with one file, written with the given content.</summary>
    public static byte[] Build(params (string Path, string Content)[] files) =>
        Build(writer =>
        {
            foreach (var (path, content) in files)
            {
                AddFile(writer, path, content);
            }
        });

    public static byte[] Build(Action<TarWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Gnu, leaveOpen: true))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    public static void AddFile(TarWriter writer, string path, string content, int uid = 0, int gid = 0)
    {
        var entry = new GnuTarEntry(TarEntryType.RegularFile, path)
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = Epoch,
            Uid = uid,
            Gid = gid,
        };
        writer.WriteEntry(entry);
    }

    public static void AddDirectory(TarWriter writer, string path) =>
        writer.WriteEntry(new GnuTarEntry(TarEntryType.Directory, path)
        {
            Mode = (UnixFileMode)0b111_101_101,
            ModificationTime = Epoch,
        });

    public static void AddLink(TarWriter writer, TarEntryType type, string path, string target) =>
        writer.WriteEntry(new GnuTarEntry(type, path) { LinkName = target, Mode = (UnixFileMode)0b111_111_111, ModificationTime = Epoch });

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>One zstd frame with a content checksum, as skopeo and containerd write layers.</summary>
    public static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>A realistic layer: directories, files, a symlink, a hard link, whiteouts, a long name.</summary>
    public static byte[] Rich() => Build(writer =>
    {
        AddDirectory(writer, "./");
        AddDirectory(writer, "etc/");
        AddFile(writer, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        AddFile(writer, "etc/group", "root:x:0:\n", uid: 1000, gid: 1001);
        AddDirectory(writer, "usr/");
        AddDirectory(writer, "usr/bin/");
        AddFile(writer, "usr/bin/app", new string('x', 10_000));
        AddLink(writer, TarEntryType.SymbolicLink, "usr/bin/sh", "app");
        AddLink(writer, TarEntryType.HardLink, "usr/bin/app2", "usr/bin/app");
        AddDirectory(writer, "usr/share/");
        AddDirectory(writer, "usr/share/" + new string('n', 150) + "/");
        AddFile(writer, "usr/share/" + new string('n', 150) + "/file", "long");
        AddDirectory(writer, "var/");
        AddFile(writer, "var/.wh..wh..opq", string.Empty);
        AddFile(writer, "etc/.wh.shadow", string.Empty);
    });
}
