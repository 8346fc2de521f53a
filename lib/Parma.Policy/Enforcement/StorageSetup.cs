namespace Parma.Policy.Enforcement;

/// <summary>What the Parma agent does with a storage a Kata host asks for, decided by the agent's own code from the storage's driver, driver options and file-system type.</summary>
public enum StorageSetup
{
    /// <summary>
    /// A block device the guest encrypts (dm-crypt, aes-xts-plain64) and integrity-protects (dm-integrity,
    /// hmac-sha256) under a key it makes and never lets out, then formats itself: Kata's block-encrypted
    /// emptyDir (driver_options "encryption_key=ephemeral" and "create_filesystem", ext4).
    /// </summary>
    EncryptedBlock,

    /// <summary>A block device the guest formats itself but leaves unencrypted ("create_filesystem" alone: Kata's block-plain emptyDir).</summary>
    PlainBlockNewFilesystem,

    /// <summary>A block device mounted with the file system the host put on it.</summary>
    PlainBlockHostFilesystem,

    /// <summary>A tmpfs, in guest memory (ephemeral storages: the sandbox's shm, memory-backed emptyDirs).</summary>
    GuestMemory,

    /// <summary>A directory the guest makes (local storages); in guest memory when the file system it is made on is.</summary>
    GuestDirectory,

    /// <summary>A layer (dm-verity, read-only) or the container's overlay root: not volume storage.</summary>
    ContainerRoot,

    /// <summary>A storage the agent refuses to set up (an ephemeral key without a new file system, an unknown option).</summary>
    Refused,

    /// <summary>A driver the agent does not carry out (virtio-fs shares, 9p, image pulls in the guest).</summary>
    NotCarriedOut,
}

/// <summary>The one place that decides <see cref="StorageSetup"/>: the Linux backend acts on it and the policy's record of planned storages is made from it.</summary>
public static class StorageSetups
{
    public const string EphemeralKeyOption = "encryption_key=ephemeral";
    public const string CreateFilesystemOption = "create_filesystem";
    public const string EncryptionKeyPrefix = "encryption_key=";

    /// <summary>The file system the agent makes and mounts on block storages.</summary>
    public const string BlockFilesystem = "ext4";

    public static bool IsBlockDriver(string driver) => driver is "blk" or "scsi";

    /// <summary>What the agent does with a storage; <paramref name="refusal"/> says why for <see cref="StorageSetup.Refused"/>.</summary>
    public static StorageSetup Of(string driver, IReadOnlyCollection<string> driverOptions, string fstype, out string? refusal)
    {
        refusal = null;
        if (fstype is "tar" or "fuse3.kata-overlay")
        {
            return StorageSetup.ContainerRoot;
        }

        switch (driver)
        {
            case "ephemeral" when fstype == "tmpfs":
                return WithoutDriverOptions(StorageSetup.GuestMemory, driver, driverOptions, out refusal);
            case "local":
                return WithoutDriverOptions(StorageSetup.GuestDirectory, driver, driverOptions, out refusal);
            case var block when IsBlockDriver(block):
                return OfBlock(driverOptions, fstype, out refusal);
            default:
                return StorageSetup.NotCarriedOut;
        }
    }

    private static StorageSetup OfBlock(IReadOnlyCollection<string> driverOptions, string fstype, out string? refusal)
    {
        refusal = null;
        var unknown = driverOptions.FirstOrDefault(o => o != CreateFilesystemOption && !o.StartsWith(EncryptionKeyPrefix, StringComparison.Ordinal));
        var keys = driverOptions.Where(o => o.StartsWith(EncryptionKeyPrefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        var createFilesystem = driverOptions.Contains(CreateFilesystemOption);
        if (unknown is not null)
        {
            refusal = $"driver option '{unknown}' is not one the agent knows ({EphemeralKeyOption}, {CreateFilesystemOption})";
        }
        else if (keys.Count > 1 || (keys.Count == 1 && keys[0] != EphemeralKeyOption))
        {
            refusal = $"only {EphemeralKeyOption} is supported: the guest makes the key itself, never takes one from the host";
        }
        else if (keys.Count == 1 && !createFilesystem)
        {
            refusal = $"{EphemeralKeyOption} requires {CreateFilesystemOption}: an encrypted device with a new key holds no file system yet";
        }
        else if (fstype != BlockFilesystem)
        {
            refusal = $"file system type '{fstype}' is not one the agent mounts on block storage ({BlockFilesystem})";
        }

        return refusal is not null ? StorageSetup.Refused
            : keys.Count == 1 ? StorageSetup.EncryptedBlock
            : createFilesystem ? StorageSetup.PlainBlockNewFilesystem
            : StorageSetup.PlainBlockHostFilesystem;
    }

    private static StorageSetup WithoutDriverOptions(StorageSetup setup, string driver, IReadOnlyCollection<string> driverOptions, out string? refusal)
    {
        refusal = driverOptions.Count > 0 ? $"{driver} storages take no driver options (got {string.Join(", ", driverOptions)})" : null;
        return refusal is null ? setup : StorageSetup.Refused;
    }
}
