using System.Text.Json.Nodes;

namespace Parma.Policy.Simulation.Attacks;

/// <summary>CopyFile outside the allowed paths, with traversal, with special modes or file types, and links that could be followed.</summary>
internal static class CopyFileAttacks
{
    private const int SetUid = 0x800;
    private const int SetGid = 0x400;
    private const int Sticky = 0x200;

    public static IEnumerable<HostAttack> All(AttackContext c)
    {
        var copy = c.IndexOf("CopyFileRequest");
        if (copy < 0)
        {
            return [];
        }

        var path = c.Life[copy].Input["path"]!.GetValue<string>();
        var directory = path[..path.LastIndexOf('/')];

        // Links go into a directory of their own beside the copied file: an allowed link made at the
        // file's own path would make it a directory and fail the life's copy of the file.
        var volume = path + "-volume";
        var attacks = new List<IEnumerable<HostAttack>>
        {
            c.Change(copy, "copy outside the shared directory", "copy.path: path: path /etc/shadow is not in the copy allow-list", r => r["path"] = "/etc/shadow"),
            c.Change(copy, "copy that names no path", "copy.path: path", r => r.Remove("path")),
            c.Change(copy, "copy to a path ending in ..", "copy.path: path: the path must be absolute", r => r["path"] = directory + "/.."),
            c.Change(copy, "copy to a path ending in .", "copy.path: path: the path must be absolute", r => r["path"] = directory + "/."),
            c.Change(copy, "copy through .. into /etc", "copy.path: path: the path must be absolute", r => r["path"] = path + "/../../../../../etc/cron.d/x"),
            c.Change(copy, "copy of a set-user-ID file", "copy.mode: file_mode", r => r["file_mode"] = KataHostSimulator.RegularFileMode | SetUid),
            c.Change(copy, "copy of a set-group-ID file", "copy.mode: file_mode", r => r["file_mode"] = KataHostSimulator.RegularFileMode | SetGid),
            c.Change(copy, "copy making sticky directories", "copy.mode: dir_mode", r => r["dir_mode"] = KataHostSimulator.DirectoryMode | Sticky),
            c.Change(copy, "copy making set-group-ID directories", "copy.mode: dir_mode", r => r["dir_mode"] = KataHostSimulator.DirectoryMode | SetGid),
            c.Change(copy, "copy of a character device", "copy.file_type: file_type", r => Special(r, 0x2000)),
            c.Change(copy, "copy of a block device", "copy.file_type: file_type", r => Special(r, 0x6000)),
            c.Change(copy, "copy of a named pipe", "copy.file_type: file_type", r => Special(r, 0x1000)),
            c.Change(copy, "copy of a socket", "copy.file_type: file_type", r => Special(r, 0xC000)),
            c.Change(copy, "link at the top of the shared directory", "copy.symlink: path", r => Link(r, path, "other-file")),
            c.Change(copy, "link to an absolute path", "copy.symlink_target: symlink_target", r => Link(r, volume + "/link", "/etc/shadow")),
            c.Change(copy, "link out through ..", "copy.symlink_target: symlink_target", r => Link(r, volume + "/link", "../../../../etc/shadow")),
            c.Change(copy, "link to nothing", "copy.symlink_target: symlink_target", r => Link(r, volume + "/link", string.Empty)),
            c.Change(copy, "link to its own directory", "copy.symlink_target: symlink_target", r => Link(r, volume + "/link", ".")),
            c.Change(copy, "link with an empty component", "copy.symlink_target: symlink_target", r => Link(r, volume + "/link", "a//b")),
            c.Change(copy, "copy to a path with an empty component", "copy.path: path: the path must be absolute", r => r["path"] = directory + "//x"),
            c.Change(copy, "copy to a relative path", "copy.path: path: the path must be absolute", r => r["path"] = path.TrimStart('/')),
            c.Variant(copy, "link inside a copied directory to a sibling (as projected volumes have)", r => Link(r, volume + "/..data", "..2026_01_01_00_00_00.000000001")),
        };
        return attacks.SelectMany(a => a);
    }

    private static void Special(JsonObject request, int type)
    {
        request["file_type"] = "Unknown";
        request["file_mode"] = type | 0x1A4;
    }

    private static void Link(JsonObject request, string path, string target)
    {
        request["path"] = path;
        request["file_type"] = "Symlink";
        request["file_mode"] = 0xA000 | 0x1FF;
        request["symlink_target"] = target;
    }
}
