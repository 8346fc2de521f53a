using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The container's root file system from the request's kata-overlay storage: an overlayfs whose
/// lower layers are exactly the unpacked layers its <c>lowerdir=</c> option lists, in that order
/// (top-most first, as both Kata and overlayfs order them), writable through an upper directory in
/// the bundle when the storage asks for <c>overlay-rw</c>.
/// </summary>
internal static class OverlayRootfs
{
    private const string OverlayFsType = "fuse3.kata-overlay";
    private const string LowerDirOption = "lowerdir=";
    private const string ReadWriteOption = "io.katacontainers.fs-opt.overlay-rw";

    /// <summary>The overlay storage of the request, or null when the container brings no layers.</summary>
    public static Storage? Find(CreateContainerRequest request) =>
        request.Storages.FirstOrDefault(s => s.Fstype == OverlayFsType);

    /// <summary>Mounts the overlay on <paramref name="rootfs"/>; <paramref name="layers"/> maps layer ids to unpacked directories.</summary>
    public static void Mount(Storage overlay, IReadOnlyDictionary<string, string> layers, string rootfs, string bundle)
    {
        var lowerIds = overlay.Options.FirstOrDefault(o => o.StartsWith(LowerDirOption, StringComparison.Ordinal))?[LowerDirOption.Length..]
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            ?? throw new RuntimeException(StatusCode.InvalidArgument, $"the overlay storage for {overlay.MountPoint} has no lowerdir option");
        if (lowerIds.Length == 0)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"the overlay storage for {overlay.MountPoint} lists no layers");
        }

        var lowerDirs = lowerIds.Select(id => layers.TryGetValue(id, out var dir)
            ? dir
            : throw new RuntimeException(StatusCode.InvalidArgument, $"the overlay storage lists layer {id}, which no verified layer storage of the request provides")).ToList();
        var readWrite = overlay.Options.Contains(ReadWriteOption);
        var options = LowerDirOption + string.Join(':', lowerDirs);
        if (readWrite)
        {
            var upper = Directory.CreateDirectory(Path.Combine(bundle, ".overlay", "upper")).FullName;
            var work = Directory.CreateDirectory(Path.Combine(bundle, ".overlay", "work")).FullName;
            options += $",upperdir={upper},workdir={work}";
        }
        else if (lowerDirs.Count == 1)
        {
            // overlayfs wants two lower layers when there is no upper one; an empty top layer changes nothing.
            options = LowerDirOption + Directory.CreateDirectory(Path.Combine(bundle, ".overlay", "empty")).FullName + ":" + lowerDirs[0];
        }

        Directory.CreateDirectory(rootfs);
        try
        {
            LinuxFileSystem.MountOverlay(rootfs, options, readOnly: !readWrite);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"cannot mount the container's root file system: {e.Message}");
        }
    }
}
