using System.Runtime.InteropServices;

namespace Parma.Agent.Runtime;

/// <summary>
/// The Linux calls that building a container root file system needs and .NET does not expose:
/// mount/umount2, mknod (overlay whiteouts, devices, fifos), setxattr (opaque directories),
/// lchown, link and rename. Each failure throws an IOException naming the call, the path and errno.
/// </summary>
internal static partial class LinuxFileSystem
{
    private const uint CharacterDevice = 0x2000;
    private const uint BlockDevice = 0x6000;
    private const uint Fifo = 0x1000;
    private const int DetachOnUnmount = 2;
    private const ulong ReadOnlyMount = 1;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnmountNative(string target, int flags);

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetXattrNative(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string created);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string from, string to);

    /// <summary>mount(2) with the given flags (e.g. MS_REMOUNT) and file-system data.</summary>
    public static void Mount(string source, string target, string fileSystemType, ulong flags, string data) =>
        Check(MountNative(source, target, fileSystemType, flags, data), $"mount {fileSystemType} {source} on", target);

    public static void MountOverlay(string target, string options, bool readOnly) =>
        Check(MountNative("overlay", target, "overlay", readOnly ? ReadOnlyMount : 0, options), "mount overlay on", target);

    /// <summary>A tmpfs at <paramref name="target"/> with mount flags (MS_NOSUID 2, MS_NODEV 4, MS_NOEXEC 8) and data such as "mode=1777,size=…".</summary>
    public static void MountTmpfs(string target, ulong flags, string data) =>
        Check(MountNative("tmpfs", target, "tmpfs", flags, data), "mount tmpfs on", target);

    /// <summary>Detaches the mount at <paramref name="target"/>; false when nothing was mounted there.</summary>
    public static bool Unmount(string target)
    {
        if (UnmountNative(target, DetachOnUnmount) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == 22 ? false : throw Failure("umount", target, errno);
    }

    /// <summary>Unmounts without detaching lazily, so that the device below is free once this returns; false when nothing was mounted there.</summary>
    public static bool UnmountNow(string target)
    {
        if (UnmountNative(target, 0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == 22 ? false : throw Failure("umount", target, errno);
    }

    /// <summary>An overlayfs whiteout: a character device with device number 0/0.</summary>
    public static void Whiteout(string path) => Check(MknodNative(path, CharacterDevice, 0), "mknod (whiteout)", path);

    public static void DeviceNode(string path, bool block, int major, int minor, UnixFileMode mode) =>
        Check(MknodNative(path, (block ? BlockDevice : CharacterDevice) | (uint)mode, MakeDevice(major, minor)), "mknod", path);

    public static void FifoNode(string path, UnixFileMode mode) => Check(MknodNative(path, Fifo | (uint)mode, 0), "mknod (fifo)", path);

    /// <summary>Marks a directory of an overlay lower layer opaque: the layers below it do not show through.</summary>
    public static void MarkOpaque(string directory) =>
        Check(SetXattrNative(directory, "trusted.overlay.opaque", "y"u8.ToArray(), 1, 0), "setxattr trusted.overlay.opaque on", directory);

    public static void Chown(string path, int uid, int gid) => Check(LchownNative(path, uid, gid), "lchown", path);

    /// <summary>Sets permission bits (a no-op off Linux, where the agent's files carry no Unix modes).</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    public static void HardLink(string existing, string created) => Check(LinkNative(existing, created), $"link {existing} to", created);

    /// <summary>rename(2): atomically replaces a file or link at <paramref name="to"/>; a link at <paramref name="from"/> is moved, not followed.</summary>
    public static void Rename(string from, string to) => Check(RenameNative(from, to), $"rename {from} to", to);

    /// <summary>Linux's makedev(3) encoding of a device number.</summary>
    private static ulong MakeDevice(int major, int minor) =>
        (((ulong)major & 0xfffff000) << 32) | (((ulong)major & 0xfff) << 8) | (((ulong)minor & 0xffffff00) << 12) | ((ulong)minor & 0xff);

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            throw Failure(call, path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Failure(string call, string path, int errno) =>
        new($"{call} {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
