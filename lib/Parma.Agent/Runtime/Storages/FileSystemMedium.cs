using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Parma.Agent.Runtime;

/// <summary>Whether a path lies on a memory-backed file system (tmpfs, ramfs): in a UVM, guest memory, which SEV-SNP encrypts and integrity-protects.</summary>
internal static partial class FileSystemMedium
{
    private const long TmpfsMagic = 0x01021994;
    private const long RamfsMagic = unchecked((long)0x858458f6);
    private const int StatfsSize = 120;

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsNative(string path, byte[] buffer);

    /// <summary>The file-system magic (f_type of statfs(2)) of the nearest existing directory at or above <paramref name="path"/>.</summary>
    public static long TypeOf(string path)
    {
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var buffer = new byte[StatfsSize];
        if (StatfsNative(existing, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statfs {existing} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        // struct statfs on 64-bit Linux begins with f_type (a long).
        return BinaryPrimitives.ReadInt64LittleEndian(buffer);
    }

    public static bool IsMemory(string path) => TypeOf(path) is TmpfsMagic or RamfsMagic;
}
