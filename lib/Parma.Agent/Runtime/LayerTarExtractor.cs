using System.Formats.Tar;

namespace Parma.Agent.Runtime;

/// <summary>
/// Unpacks one verified layer tar into a directory usable as an overlayfs lower layer: OCI
/// whiteouts (<c>.wh.NAME</c>) become 0/0 character devices and <c>.wh..wh..opq</c> marks its
/// directory opaque, as overlayfs (and Kata's tarfs) expect. A later member at the same path
/// replaces an earlier one. Members that would land outside the directory, directly or through a
/// symbolic link the layer created, are refused: the layer's links are kept as links and never followed.
/// </summary>
internal sealed class LayerTarExtractor(string destination, string layerName, MountSupport support)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    public static void Extract(Stream tar, string destination, string layerName, MountSupport support) =>
        new LayerTarExtractor(destination, layerName, support).Run(tar);

    private void Run(Stream tar)
    {
        Directory.CreateDirectory(destination);
        using var reader = new TarReader(tar, leaveOpen: true);
        TarEntry? entry;
        while ((entry = Next(reader)) is not null)
        {
            var parts = Components(entry.Name);
            if (parts.Length == 0)
            {
                continue;
            }

            var name = parts[^1];
            var parent = EnsureParent(parts, entry.Name);
            if (name == OpaqueMarker)
            {
                LinuxFileSystem.MarkOpaque(parent);
            }
            else if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                var hidden = Path.Combine(parent, name[WhiteoutPrefix.Length..]);
                RemoveExisting(hidden);
                LinuxFileSystem.Whiteout(hidden);
            }
            else
            {
                Write(entry, Path.Combine(parent, name));
            }
        }
    }

    private TarEntry? Next(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"layer {layerName}: the tar does not parse: {e.Message}", e);
        }
    }

    private void Write(TarEntry entry, string path)
    {
        var mode = entry.Mode;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!IsRealDirectory(path))
                {
                    RemoveExisting(path);
                    Directory.CreateDirectory(path);
                }

                LinuxFileSystem.SetMode(path, mode);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                RemoveExisting(path);
                using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    entry.DataStream?.CopyTo(file);
                }

                LinuxFileSystem.SetMode(path, mode);
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(path);
                File.CreateSymbolicLink(path, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var linked = Components(entry.LinkName);
                var target = linked.Length == 0 ? destination : Path.Combine(EnsureParent(linked, entry.LinkName, create: false), linked[^1]);
                if (!File.Exists(target) || new FileInfo(target).LinkTarget is not null)
                {
                    throw new InvalidDataException($"layer {layerName}: hard link {entry.Name} names {entry.LinkName}, which is not a regular file of this layer");
                }

                RemoveExisting(path);
                LinuxFileSystem.HardLink(target, path);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice when support.CanMakeNodes:
                RemoveExisting(path);
                var device = (PosixTarEntry)entry;
                LinuxFileSystem.DeviceNode(path, entry.EntryType == TarEntryType.BlockDevice, device.DeviceMajor, device.DeviceMinor, mode);
                break;
            case TarEntryType.Fifo when support.CanMakeNodes:
                RemoveExisting(path);
                LinuxFileSystem.FifoNode(path, mode);
                break;
            default:
                return; // Members tarfs does not index either (devices without CAP_MKNOD, sparse files, …).
        }

        if (support.CanChown)
        {
            LinuxFileSystem.Chown(path, entry.Uid, entry.Gid);
        }
    }

    /// <summary>The member's path split into components, refusing absolute escapes and "..".</summary>
    private string[] Components(string memberName)
    {
        var parts = memberName.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return parts.Contains("..")
            ? throw new InvalidDataException($"layer {layerName}: member '{memberName}' leaves the layer through '..'")
            : parts;
    }

    /// <summary>Creates the member's parent directories, refusing a parent that is anything but a real directory.</summary>
    private string EnsureParent(string[] parts, string memberName, bool create = true)
    {
        var current = destination;
        foreach (var part in parts[..^1])
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                throw new InvalidDataException($"layer {layerName}: member '{memberName}' passes through the symbolic link '{part}' -> {info.LinkTarget}");
            }

            if (File.Exists(current))
            {
                throw new InvalidDataException($"layer {layerName}: member '{memberName}' needs '{part}' to be a directory, but the layer made it a file");
            }

            if (!info.Exists && create)
            {
                Directory.CreateDirectory(current);
            }
        }

        return current;
    }

    private static bool IsRealDirectory(string path)
    {
        var info = new DirectoryInfo(path);
        return info.Exists && info.LinkTarget is null;
    }

    private static void RemoveExisting(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
