using System.Globalization;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Runtime;

/// <summary>
/// Carries out the storages a Kata host asks for, as <see cref="StorageSetups"/> decides, and keeps
/// the guest's record of each (<see cref="Ledger"/>, which the policy reads): <c>ephemeral</c> tmpfs
/// storages (the sandbox's /dev/shm, memory-backed emptyDirs) are mounted at their mount point,
/// <c>local</c> storages (emptyDirs kept in the guest) are made as directories, and <c>blk</c>/<c>scsi</c>
/// storages (Kata's block emptyDirs) are encrypted, formatted and mounted (<see cref="BlockStorage"/>).
/// All are checked by the policy first; here the mount point must also lie under /run/kata-containers/
/// (resolved under <see cref="RuntimeOptions.CopyFileRoot"/>), only the options the agent knows are
/// accepted, and each mount point is set up once and shared by the sandbox's containers until
/// DestroySandbox. Layer and overlay storages are handled elsewhere. When <see cref="RuntimeOptions.MountStorages"/>
/// is off, nothing is carried out and the record holds what the agent in a UVM would set up.
/// </summary>
internal sealed class GuestStorages(RuntimeOptions options)
{
    private const string KataRoot = "/run/kata-containers/";
    private const ulong NoSuid = 2;
    private const ulong NoDev = 4;
    private const ulong NoExec = 8;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<string> _mounted = [];
    private readonly List<BlockStorage> _blocks = [];

    /// <summary>The guest's record of what it set up, by mount point.</summary>
    public GuestStorageLedger Ledger { get; } = new();

    /// <summary>Sets up every storage of a request whose mount point has none yet (storages are shared by a sandbox's containers).</summary>
    public async Task ApplyAsync(IEnumerable<Storage> storages, string request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var index = -1;
            foreach (var storage in storages)
            {
                index++;
                var what = $"{request}.storages[{index}]";
                var setup = StorageSetups.Of(storage.Driver, storage.DriverOptions, storage.Fstype, out var refusal);
                if (setup == StorageSetup.ContainerRoot || Ledger.TryGet(storage.MountPoint, out _))
                {
                    continue;
                }

                if (setup == StorageSetup.Refused)
                {
                    throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: {refusal}");
                }

                if (!options.MountStorages)
                {
                    Ledger.Keep(GuestStorageRecord.Planned(storage.Driver, storage.Source, storage.MountPoint, storage.Fstype, storage.DriverOptions));
                    continue;
                }

                switch (setup)
                {
                    case StorageSetup.GuestMemory:
                        MountTmpfs(storage, what);
                        Ledger.Keep(Kept(storage, setup, "tmpfs", inGuestMemory: true));
                        break;
                    case StorageSetup.GuestDirectory:
                        var directory = MakeLocal(storage, what);
                        Ledger.Keep(Kept(storage, setup, directory, inGuestMemory: FileSystemMedium.IsMemory(directory)));
                        break;
                    case StorageSetup.EncryptedBlock or StorageSetup.PlainBlockNewFilesystem or StorageSetup.PlainBlockHostFilesystem:
                        var block = await SetUpBlockAsync(storage, setup, what, cancellationToken).ConfigureAwait(false);
                        Ledger.Keep(block.Record);
                        break;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Undoes what <see cref="ApplyAsync"/> set up (at sandbox teardown): block storages are unmounted and their encrypted devices closed, tmpfs mounts unmounted.</summary>
    public async Task ClearAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var block in Enumerable.Reverse(_blocks))
            {
                try
                {
                    await block.TearDownAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // A device that cannot be closed stays; teardown goes on.
                }
            }

            _blocks.Clear();
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
            Ledger.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<BlockStorage> SetUpBlockAsync(Storage storage, StorageSetup setup, string what, CancellationToken cancellationToken)
    {
        var target = Target(storage, what);
        BlockStorage.MountData(storage, what);
        var device = await BlockStorage.ResolveAsync(storage, what, cancellationToken).ConfigureAwait(false);
        if (_blocks.Find(b => b.Device == device) is { } other)
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: {device} ({storage.Source}) already holds the storage at {other.Record.MountPoint}");
        }

        var block = await BlockStorage.SetUpAsync(storage, setup, device, target, options, what, cancellationToken).ConfigureAwait(false);
        _blocks.Add(block);
        return block;
    }

    private static GuestStorageRecord Kept(Storage storage, StorageSetup setup, string device, bool inGuestMemory) =>
        new(storage.MountPoint, storage.Driver, storage.Source, storage.Fstype, setup, device, Encrypted: false, Integrity: false, GuestFilesystem: false, InGuestMemory: inGuestMemory, SetUp: true);

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

    private string MakeLocal(Storage storage, string what)
    {
        var target = Target(storage, what);
        var mode = storage.Options.FirstOrDefault(o => o.StartsWith("mode=", StringComparison.Ordinal)) is { } option
            ? IsOctal(option[5..]) ? (UnixFileMode)Convert.ToInt32(option[5..], 8) : throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: '{option}' is not mode=OCTAL")
            : (UnixFileMode)0x1ff;
        Directory.CreateDirectory(target);
        LinuxFileSystem.SetMode(target, mode);
        return target;
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
