using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Policy.Enforcement;

namespace Parma.Agent.Runtime;

/// <summary>
/// A blk or scsi storage the guest set up on a disk the host attached (Kata's block emptyDirs): the
/// device is found from the storage's source (a PCI path, a /dev path, or a SCSI target:lun), then,
/// as <see cref="StorageSetups"/> decided, encrypted and integrity-protected under an ephemeral key
/// (<see cref="EncryptedDevice"/>) and formatted (<see cref="Ext4Formatter"/>), or formatted plain, or
/// left with the host's file system; then mounted at the mount point, its root made writable by all
/// (mode 0777, as the kubelet makes emptyDirs) when the guest made the file system, and the pod's
/// fsGroup applied.
/// Its <see cref="Record"/> says what was done, for the policy. Undone on failure and at teardown.
/// </summary>
internal sealed class BlockStorage
{
    private const string Discard = "discard";
    private const UnixFileMode EmptyDirMode = (UnixFileMode)0x1ff;

    private readonly EncryptedDevice? _encrypted;

    private BlockStorage(string target, string device, EncryptedDevice? encrypted, GuestStorageRecord record)
    {
        Target = target;
        Device = device;
        _encrypted = encrypted;
        Record = record;
    }

    /// <summary>Where it is mounted on this machine.</summary>
    public string Target { get; }

    /// <summary>The host's device it was made on.</summary>
    public string Device { get; }

    public GuestStorageRecord Record { get; }

    /// <summary>The device a storage's source names, waiting briefly for a hot-plugged one to appear.</summary>
    public static Task<string> ResolveAsync(Storage storage, string what, CancellationToken cancellationToken) => storage.Driver switch
    {
        "scsi" => ScsiDevice.ResolveAsync(storage.Source, what, cancellationToken),
        _ when LayerDevice.IsDeviceSource(storage.Source) => LayerDevice.ResolveAsync(storage.Source, what, cancellationToken),
        _ => throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: '{storage.Source}' is not a PCI path or a /dev path"),
    };

    public static async Task<BlockStorage> SetUpAsync(Storage storage, StorageSetup setup, string device, string target, RuntimeOptions options, string what, CancellationToken cancellationToken)
    {
        var data = MountData(storage, what);
        EncryptedDevice? encrypted = null;
        var mounted = false;
        try
        {
            var filesystemDevice = device;
            var steps = string.Empty;
            if (setup == StorageSetup.EncryptedBlock)
            {
                encrypted = await EncryptedDevice.CreateAsync(Tool("cryptsetup", what), device, options.StorageHeaderDirectory, what, cancellationToken).ConfigureAwait(false);
                filesystemDevice = encrypted.DevicePath;
                steps = $"luksFormat {encrypted.FormatTime.TotalMilliseconds:F0} ms, open {encrypted.OpenTime.TotalMilliseconds:F0} ms, ";
            }

            if (setup is StorageSetup.EncryptedBlock or StorageSetup.PlainBlockNewFilesystem)
            {
                var mkfs = await Ext4Formatter.FormatAsync(Tool("mkfs.ext4", what), filesystemDevice, what, cancellationToken).ConfigureAwait(false);
                steps += $"mkfs.ext4 {mkfs.TotalMilliseconds:F0} ms, ";
            }

            Directory.CreateDirectory(target);
            Mount(filesystemDevice, target, data, what);
            mounted = true;
            if (setup != StorageSetup.PlainBlockHostFilesystem)
            {
                // A new emptyDir is writable by every user of the pod, as the kubelet makes emptyDirs (and local storages get mode=0777).
                LinuxFileSystem.SetMode(target, EmptyDirMode);
            }

            if (storage.FsGroup is { } group)
            {
                FsGroupOwnership.Apply(target, group.GroupId, readOnly: false);
            }

            options.Log?.Invoke($"storage {storage.MountPoint}: {storage.Driver} {storage.Source} ({device}) {Describe(setup)}, mounted from {filesystemDevice}; {steps}done");
            var record = new GuestStorageRecord(
                storage.MountPoint,
                storage.Driver,
                storage.Source,
                Ext4Formatter.FilesystemType,
                setup,
                Device: filesystemDevice,
                Encrypted: encrypted is not null,
                Integrity: encrypted is not null,
                GuestFilesystem: setup != StorageSetup.PlainBlockHostFilesystem,
                InGuestMemory: false,
                SetUp: true);
            return new BlockStorage(target, device, encrypted, record);
        }
        catch (Exception e) when (e is RuntimeException or IOException or UnauthorizedAccessException)
        {
            if (mounted)
            {
                TryUnmount(target);
            }

            if (encrypted is not null)
            {
                await encrypted.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }

            throw e as RuntimeException ?? new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {e.Message}");
        }
    }

    /// <summary>Unmounts the file system and closes the encrypted device, so that the kernel forgets its key.</summary>
    public async Task TearDownAsync(CancellationToken cancellationToken)
    {
        TryUnmount(Target);
        if (_encrypted is not null)
        {
            await _encrypted.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Mount data from the storage's options: only "discard" (Kata's block-plain emptyDirs ask for it) is known.</summary>
    public static string MountData(Storage storage, string what)
    {
        var unknown = storage.Options.FirstOrDefault(o => o != Discard);
        return unknown is null
            ? string.Join(',', storage.Options.Distinct(StringComparer.Ordinal))
            : throw new RuntimeException(StatusCode.InvalidArgument, $"{what}: mount option '{unknown}' is not one the agent applies to block storage ({Discard})");
    }

    private static void Mount(string device, string target, string data, string what)
    {
        try
        {
            LinuxFileSystem.Mount(device, target, Ext4Formatter.FilesystemType, 0, data);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {e.Message}");
        }
    }

    private static void TryUnmount(string target)
    {
        try
        {
            if (!LinuxFileSystem.UnmountNow(target))
            {
                return;
            }
        }
        catch (IOException)
        {
            // Busy: detach it, so that teardown goes on; the device is released once its last user is gone.
            try
            {
                LinuxFileSystem.Unmount(target);
            }
            catch (IOException)
            {
                // Left mounted; teardown goes on.
            }
        }
    }

    private static string Describe(StorageSetup setup) => setup switch
    {
        StorageSetup.EncryptedBlock => $"encrypted (LUKS2 {CryptsetupCommands.Cipher}, {CryptsetupCommands.Integrity} integrity, ephemeral key) and formatted {Ext4Formatter.FilesystemType}",
        StorageSetup.PlainBlockNewFilesystem => $"formatted {Ext4Formatter.FilesystemType}, NOT encrypted",
        _ => "with the host's file system, NOT encrypted",
    };

    private static string Tool(string name, string what) => MountSupport.FindOnPath(name)
        ?? throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {name} is not installed, so the agent cannot set up block storage");
}
