namespace Parma.Agent.Runtime;

/// <summary>
/// A pod's fsGroup applied to a volume the guest made, as kata-agent applies a storage's fs_group: every
/// file and directory below the mount point gets the group, group read and write (read only for a
/// read-only storage), and directories also group search and set-group-ID, so that files made later
/// inherit the group. Symbolic links are left alone. The owner is not changed.
/// </summary>
internal static class FsGroupOwnership
{
    private const UnixFileMode ReadWrite = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ReadOnly = UnixFileMode.GroupRead | UnixFileMode.UserRead;
    private const UnixFileMode Search = UnixFileMode.GroupExecute | UnixFileMode.UserExecute;

    public static void Apply(string root, uint groupId, bool readOnly)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("fs_group ownership is applied on Linux only");
        }

        var mask = readOnly ? ReadOnly : ReadWrite;
        Walk(new DirectoryInfo(root), (int)groupId, mask);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void Walk(FileSystemInfo entry, int groupId, UnixFileMode mask)
    {
        if (entry.LinkTarget is not null)
        {
            return;
        }

        if (entry is DirectoryInfo directory)
        {
            foreach (var child in directory.EnumerateFileSystemInfos())
            {
                Walk(child, groupId, mask);
            }

            mask |= Search | UnixFileMode.SetGroup;
        }

        LinuxFileSystem.Chown(entry.FullName, -1, groupId);
        File.SetUnixFileMode(entry.FullName, File.GetUnixFileMode(entry.FullName) | mask);
    }
}
