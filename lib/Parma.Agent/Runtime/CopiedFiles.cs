using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// Carries out CopyFile as kata-agent does for a confidential sandbox (no shared file system): the
/// host sends files such as /etc/hosts and resolv.conf for the containers, in chunks, which are
/// written under <see cref="RuntimeOptions.CopyFileRoot"/>. Regular files and directories are
/// written; symbolic links and special files are refused. A file is assembled in a temporary file
/// next to it and renamed into place with its mode and owner when its last chunk arrives, so a
/// container never sees half a file and a link at the target is replaced, not followed.
/// </summary>
internal static class CopiedFiles
{
    private const uint TypeMask = 0xF000;
    private const uint RegularType = 0x8000;
    private const uint DirectoryType = 0x4000;
    private const string PartialSuffix = ".parma-partial";

    /// <summary>Writes one CopyFile request; <paramref name="canChown"/>: whether this process may give files the request's owner.</summary>
    public static void Apply(CopyFileRequest request, string root, bool canChown)
    {
        var target = Target(request.Path, root);
        var type = request.FileMode & TypeMask;
        if (type is not (0 or RegularType or DirectoryType))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: file type 0{Convert.ToString(type >> 12, 8)} is not supported (only regular files and directories are copied)");
        }

        try
        {
            CreateParents(target, root, request);
            if (type == DirectoryType)
            {
                Directory.CreateDirectory(target);
                Finish(target, request, canChown);
                return;
            }

            WriteChunk(target, request, canChown);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException(StatusCode.Internal, $"CopyFile {request.Path}: {e.Message}");
        }
    }

    /// <summary>Where the path lands under the root; only absolute, normalised paths without "." or ".." components.</summary>
    private static string Target(string path, string root)
    {
        var parts = path.Split('/');
        if (!path.StartsWith('/') || parts.Length < 2 || parts.Skip(1).Any(p => p is "" or "." or ".."))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile: '{path}' is not an absolute path without empty, '.' or '..' components");
        }

        return Path.Join(Path.GetFullPath(root), path);
    }

    /// <summary>Creates missing parent directories with the request's directory mode; an existing parent that is a link is refused.</summary>
    private static void CreateParents(string target, string root, CopyFileRequest request)
    {
        var rootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var missing = new Stack<string>();
        for (var directory = Path.GetDirectoryName(target)!; directory.Length > rootPath.Length; directory = Path.GetDirectoryName(directory)!)
        {
            var info = new DirectoryInfo(directory);
            if (info.LinkTarget is not null)
            {
                throw new RuntimeException(StatusCode.PermissionDenied, $"CopyFile {request.Path}: {directory[rootPath.Length..]} is a symbolic link; files are not written through links");
            }

            if (!info.Exists)
            {
                missing.Push(directory);
            }
        }

        foreach (var directory in missing)
        {
            Directory.CreateDirectory(directory);
            if (request.DirMode != 0)
            {
                LinuxFileSystem.SetMode(directory, PermissionBits(request.DirMode));
            }
        }
    }

    private static void WriteChunk(string target, CopyFileRequest request, bool canChown)
    {
        if (request.Offset < 0 || request.FileSize < 0 || request.Offset + request.Data.Length > request.FileSize)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: a chunk of {request.Data.Length} bytes at offset {request.Offset} does not fit a file of {request.FileSize} bytes");
        }

        var partial = target + PartialSuffix;
        using (var file = new FileStream(partial, request.Offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write))
        {
            file.Position = request.Offset;
            file.Write(request.Data.Span);
        }

        if (request.Offset + request.Data.Length == request.FileSize)
        {
            Finish(partial, request, canChown);
            File.Move(partial, target, overwrite: true);
        }
    }

    private static void Finish(string path, CopyFileRequest request, bool canChown)
    {
        LinuxFileSystem.SetMode(path, PermissionBits(request.FileMode));
        if (canChown)
        {
            LinuxFileSystem.Chown(path, request.Uid, request.Gid);
        }
    }

    /// <summary>The permission bits of a mode (type bits dropped).</summary>
    private static UnixFileMode PermissionBits(uint mode) => (UnixFileMode)(mode & 0xFFF);
}
