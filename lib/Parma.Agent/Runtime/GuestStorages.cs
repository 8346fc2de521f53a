using System.Globalization;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// Carries out the simple storages a Kata host asks for, as kata-agent does: <c>ephemeral</c> tmpfs
/// storages (the sandbox's /dev/shm, memory-backed emptyDirs) are mounted at their mount point, and
/// <c>local</c> storages (disk-backed emptyDirs kept in the guest) are made as directories. Both are
/// checked by the policy first (driver, source and mount point); here the mount point must also lie
/// under /run/kata-containers/ (resolved under <see cref="RuntimeOptions.CopyFileRoot"/>) and only
/// the mount options tmpfs needs are accepted. Layer, overlay and block storages are handled elsewhere.
/// </summary>
internal sealed class GuestStorages(RuntimeOptions options)
{
    private const string KataRoot = "/run/kata-containers/";
    private const ulong NoSuid = 2;
    private const ulong NoDev = 4;
    private const ulong NoExec = 8;

    private readonly List<string> _mounted = [];

    /// <summary>Mounts or makes every ephemeral and local storage of a request; already present ones are kept (storages are shared by a sandbox's containers).</summary>
    public void Apply(IEnumerable<Storage> storages, string request)
    {
        var index = -1;
        foreach (var storage in storages)
        {
            index++;
            switch (storage.Driver)
            {
                case "ephemeral" when storage.Fstype == "tmpfs":
                    MountTmpfs(storage, $"{request}.storages[{index}]");
                    break;
                case "local":
                    MakeLocal(storage, $"{request}.storages[{index}]");
                    break;
            }
        }
    }

    /// <summary>Unmounts what <see cref="Apply"/> mounted (at sandbox teardown).</summary>
    public void Clear()
    {
        lock (_mounted)
        {
            foreach (var target in Enumerable.Reverse(_mounted))
            {
                try
                {
                    LinuxFileSystem.Unmount(target);
                }
                catch (IOException)
                {
                    // A mount that cannot be detached stays; teardown goes on.
                }
            }

            _mounted.Clear();
        }
    }

    private void MountTmpfs(Storage storage, string what)
    {
        var target = Target(storage, what);
        ulong flags = 0;
        var data = new List<string>();
        foreach (var option in storage.Options)
        {
            switch (option)
            {
                case "nosuid": flags |= NoSuid; break;
                case "nodev": flags |= NoDev; break;
                case "noexec": flags |= NoExec; break;
                case var o when (o.StartsWith("mode=", StringComparison.Ordinal) && IsOctal(o[5..])) || (o.StartsWith("size=", StringComparison.Ordinal) && IsDecimal(o[5..])):
                    data.Add(o);
                    break;
                default:
                    throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: tmpfs option '{option}' is not one the agent applies (nosuid, nodev, noexec, mode=OCTAL, size=BYTES)");
            }
        }

        lock (_mounted)
        {
            if (_mounted.Contains(target))
            {
                return;
            }

            Directory.CreateDirectory(target);
            try
            {
                LinuxFileSystem.MountTmpfs(target, flags, string.Join(',', data));
            }
            catch (IOException e)
            {
                throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {e.Message}");
            }

            _mounted.Add(target);
        }
    }

    private void MakeLocal(Storage storage, string what)
    {
        var target = Target(storage, what);
        var mode = storage.Options.FirstOrDefault(o => o.StartsWith("mode=", StringComparison.Ordinal)) is { } option
            ? IsOctal(option[5..]) ? (UnixFileMode)Convert.ToInt32(option[5..], 8) : throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: '{option}' is not mode=OCTAL")
            : (UnixFileMode)0x1ff;
        Directory.CreateDirectory(target);
        LinuxFileSystem.SetMode(target, mode);
    }

    /// <summary>The storage's mount point on this machine: an absolute, normalised path under /run/kata-containers/.</summary>
    private string Target(Storage storage, string what)
    {
        var point = storage.MountPoint;
        if (!point.StartsWith(KataRoot, StringComparison.Ordinal) || point.Split('/').Any(p => p is "." or "..") || Path.GetFullPath(point) != point.TrimEnd('/'))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: mount point '{point}' is not a plain path under {KataRoot}");
        }

        return Path.Combine(options.CopyFileRoot, point.TrimStart('/'));
    }

    private static bool IsOctal(string text) => text.Length is > 0 and <= 4 && text.All(c => c is >= '0' and <= '7');

    private static bool IsDecimal(string text) => text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
