using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Parma.Vm.Tests;

/// <summary>
/// Writes a gzip-compressed cpio archive in the "newc" format the kernel unpacks as an initramfs.
/// Appended to the VM's initrd, it adds per-boot files (the policy, the agent's arguments).
/// </summary>
public static class NewcArchive
{
    public static byte[] Create(IEnumerable<(string Path, byte[] Content)> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            var inode = 1;
            var directories = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (path, content) in files)
            {
                var parts = path.Trim('/').Split('/');
                for (var i = 1; i < parts.Length; i++)
                {
                    var directory = string.Join('/', parts[..i]);
                    if (directories.Add(directory))
                    {
                        Entry(gzip, directory, 0x41ed, [], inode++);
                    }
                }

                Entry(gzip, string.Join('/', parts), 0x81a4, content, inode++);
            }

            Entry(gzip, "TRAILER!!!", 0, [], 0);
        }

        return output.ToArray();
    }

    private static void Entry(Stream output, string name, int mode, byte[] content, int inode)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        string Hex(long value) => value.ToString("x8", CultureInfo.InvariantCulture);
        var header = "070701" + Hex(inode) + Hex(mode) + Hex(0) + Hex(0) + Hex(1) + Hex(0) + Hex(content.Length)
            + Hex(0) + Hex(0) + Hex(0) + Hex(0) + Hex(nameBytes.Length) + Hex(0);
        output.Write(Encoding.ASCII.GetBytes(header));
        output.Write(nameBytes);
        Pad(output, 110 + nameBytes.Length);
        output.Write(content);
        Pad(output, content.Length);
    }

    private static void Pad(Stream output, int length) => output.Write(new byte[(4 - (length % 4)) % 4]);
}
