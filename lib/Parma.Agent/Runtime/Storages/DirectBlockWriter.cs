using System.Runtime.InteropServices;

namespace Parma.Agent.Runtime;

/// <summary>Writes whole blocks of zeros with O_DIRECT (to the device itself, bypassing the page cache), then fsync(2).</summary>
internal static unsafe partial class DirectBlockWriter
{
    private const int WriteOnly = 0x1;
    private const int Direct = 0x4000;
    private const int CloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PwriteNative(int fd, void* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    /// <summary>Writes <paramref name="blockSize"/> zero bytes at each block number of <paramref name="blocks"/>.</summary>
    public static void WriteZeros(string path, IReadOnlyList<long> blocks, int blockSize)
    {
        var fd = OpenNative(path, WriteOnly | Direct | CloseOnExec);
        if (fd < 0)
        {
            throw Failure("open (O_DIRECT)", path);
        }

        // O_DIRECT needs a buffer aligned to the logical block size.
        var buffer = NativeMemory.AlignedAlloc((nuint)blockSize, (nuint)blockSize);
        try
        {
            NativeMemory.Clear(buffer, (nuint)blockSize);
            foreach (var block in blocks)
            {
                var written = PwriteNative(fd, buffer, (nuint)blockSize, block * blockSize);
                if (written != blockSize)
                {
                    throw written < 0 ? Failure($"pwrite at block {block}", path) : new IOException($"pwrite at block {block} of {path} wrote {written} of {blockSize} bytes");
                }
            }

            if (FsyncNative(fd) != 0)
            {
                throw Failure("fsync", path);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
            CloseNative(fd);
        }
    }

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
