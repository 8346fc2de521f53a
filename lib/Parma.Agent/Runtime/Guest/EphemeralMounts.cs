using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// UpdateEphemeralMounts as kata-agent carries it out: for each "ephemeral" storage, the mount point
/// is made if missing and, when options are given, the tmpfs is mounted (or remounted) with them; the host uses
/// it to resize memory-backed emptyDirs with `remount,size=…` after the sandbox's memory changed. The
/// fsgid option (ownership, applied when the volume was made) is not a mount option and is dropped.
/// Only "remount", "size=…" and "fsgid=…" are accepted: anything else is not a resize.
/// </summary>
internal static class EphemeralMounts
{
    private const ulong RemountFlag = 32;

    public static void Update(IEnumerable<Storage> storages, Func<string, string> guestPath)
    {
        foreach (var (storage, index) in storages.Select((s, i) => (s, i)))
        {
            if (storage.Driver != "ephemeral" || storage.Fstype != "tmpfs")
            {
                throw new RuntimeException(StatusCode.InvalidArgument, $"storages[{index}]: only ephemeral tmpfs storages are updated, not {storage.Driver} {storage.Fstype}");
            }

            var mountPoint = guestPath(storage.MountPoint);
            ulong flags = 0;
            var data = new List<string>();
            foreach (var option in storage.Options)
            {
                if (option == "remount")
                {
                    flags |= RemountFlag;
                }
                else if (option.StartsWith("size=", StringComparison.Ordinal))
                {
                    data.Add(option);
                }
                else if (!option.StartsWith("fsgid=", StringComparison.Ordinal))
                {
                    throw new RuntimeException(StatusCode.InvalidArgument, $"storages[{index}]: option '{option}' is not remount, size= or fsgid=");
                }
            }

            try
            {
                Directory.CreateDirectory(mountPoint);
                if (storage.Options.Count > 0)
                {
                    LinuxFileSystem.Mount(storage.Source, mountPoint, storage.Fstype, flags, string.Join(',', data));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RuntimeException(StatusCode.Internal, $"storages[{index}] at {storage.MountPoint}: {e.Message}");
            }
        }
    }
}
