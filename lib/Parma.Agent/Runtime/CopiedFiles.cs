using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// Carries out CopyFile as kata-agent does for a confidential sandbox (no shared file system): the
/// host sends files such as /etc/hosts and resolv.conf for the containers, in chunks, which are
/// written under <see cref="RuntimeOptions.CopyFileRoot"/>. Regular files, directories and symbolic
/// links are written; special files are refused. A file is assembled in a temporary file next to it
/// and renamed into place with its mode and owner when its last chunk arrives, so a container never
/// sees half a file and a link at the target is replaced, not followed. A symbolic link (the host
/// sends its target as the data, as kata-agent reads it) is how Kubernetes' atomic writer builds
/// projected volumes (`..data` -> `..2024_…`, `token` -> `..data/token`): its target must be relative
/// and made of plain names, so it resolves inside the link's own directory and never leaves the copy
/// root; it is made under a temporary name and renamed over the old link, as the atomic writer does.
/// </summary>
internal static class CopiedFiles
{
    private const uint TypeMask = 0xF000;
    private const uint RegularType = 0x8000;
    private const uint DirectoryType = 0x4000;
    private const uint SymlinkType = 0xA000;
    private const string PartialSuffix = ".parma-partial";
    private const string LinkSuffix = ".parma-link";

    /// <summary>Writes one CopyFile request; <paramref name="canChown"/>: whether this process may give files the request's owner.</summary>
    public static void Apply(CopyFileRequest request, string root, bool canChown)
    {
        var target = Target(request.Path, root);
        var type = request.FileMode & TypeMask;
        if (type is not (0 or RegularType or DirectoryType or SymlinkType))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: file type 0{Convert.ToString(type >> 12, 8)} is not supported (only regular files, directories and symbolic links are copied)");
        }

        var linkTarget = type == SymlinkType ? LinkTarget(request) : null;

        try
        {
            CreateParents(target, root, request);
            if (type == DirectoryType)
            {
                Directory.CreateDirectory(target);
                Finish(target, request, canChown);
                return;
            }

            if (linkTarget is not null)
            {
                WriteLink(target, linkTarget, request, canChown);
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

    /// <summary>
    /// The link's target from the request's data: relative, 1-4096 bytes of UTF-8, and made of plain
    /// names (no empty, "." or ".." component), so it names something inside the link's directory.
    /// </summary>
    private static string LinkTarget(CopyFileRequest request)
    {
        string target;
        try
        {
            target = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(request.Data.Span);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: the symbolic link's target is not valid UTF-8");
        }

        if (target.Length is 0 or > 4096 || target.Contains('\0') || target.StartsWith('/') || target.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: the symbolic link's target '{target}' is not a relative path of plain names (it would not stay inside the link's directory)");
        }

        if (request.Offset != 0)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"CopyFile {request.Path}: a symbolic link is sent whole, not at offset {request.Offset}");
        }

        return target;
    }

    /// <summary>Makes the link under a temporary name next to the target and renames it over whatever file or link is there.</summary>
    private static void WriteLink(string target, string linkTarget, CopyFileRequest request, bool canChown)
    {
        if (Directory.Exists(target) && new DirectoryInfo(target).LinkTarget is null)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"CopyFile {request.Path}: a directory is in the way of the symbolic link");
        }

        var temporary = target + LinkSuffix;
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, linkTarget);
        if (canChown)
        {
            LinuxFileSystem.Chown(temporary, request.Uid, request.Gid);
        }

        LinuxFileSystem.Rename(temporary, target);
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
