using Parma.Rego;

namespace Parma.Policy.Enforcement;

/// <summary>
/// The guest's own record of one storage: what the agent set up at a mount point (or, before the
/// policy decides the request that asks for it, what its code will set up there). The policy reads
/// these records at <c>data.guest.storages[mount_point]</c> to decide whether writable storage is
/// protected; the host's request only names the storage, the record says what the guest did with it.
/// </summary>
/// <param name="Device">The guest device mounted there (a /dev/mapper device for encrypted storage); empty until set up.</param>
/// <param name="Encrypted">dm-crypt under a key the guest made and never let out.</param>
/// <param name="Integrity">dm-integrity under the same key: the host cannot change a sector unnoticed.</param>
/// <param name="GuestFilesystem">The guest made the file system itself (so the host chose none of its metadata).</param>
/// <param name="InGuestMemory">The storage lives in guest memory (tmpfs), which SNP encrypts and integrity-protects.</param>
/// <param name="SetUp">False for a record of what the agent will do (the request is being decided, or the backend does not carry storages out).</param>
public sealed record GuestStorageRecord(
    string MountPoint,
    string Driver,
    string Source,
    string Fstype,
    StorageSetup Setup,
    string Device,
    bool Encrypted,
    bool Integrity,
    bool GuestFilesystem,
    bool InGuestMemory,
    bool SetUp)
{
    /// <summary>What the agent will do with a storage, from <see cref="StorageSetups.Of"/>: a directory storage is taken to be in guest memory until the agent has looked.</summary>
    public static GuestStorageRecord Planned(string driver, string source, string mountPoint, string fstype, IReadOnlyCollection<string> driverOptions)
    {
        var setup = StorageSetups.Of(driver, driverOptions, fstype, out _);
        var encrypted = setup == StorageSetup.EncryptedBlock;
        return new GuestStorageRecord(
            mountPoint,
            driver,
            source,
            fstype,
            setup,
            Device: string.Empty,
            Encrypted: encrypted,
            Integrity: encrypted,
            GuestFilesystem: setup is StorageSetup.EncryptedBlock or StorageSetup.PlainBlockNewFilesystem,
            InGuestMemory: setup is StorageSetup.GuestMemory or StorageSetup.GuestDirectory,
            SetUp: false);
    }

    /// <summary>The record as the policy reads it.</summary>
    public Value ToValue() => Value.Object(
    [
        KeyValuePair.Create("device", Value.String(Device)),
        KeyValuePair.Create("driver", Value.String(Driver)),
        KeyValuePair.Create("encrypted", Value.Bool(Encrypted)),
        KeyValuePair.Create("fstype", Value.String(Fstype)),
        KeyValuePair.Create("guest_filesystem", Value.Bool(GuestFilesystem)),
        KeyValuePair.Create("in_guest_memory", Value.Bool(InGuestMemory)),
        KeyValuePair.Create("integrity", Value.Bool(Integrity)),
        KeyValuePair.Create("mount_point", Value.String(MountPoint)),
        KeyValuePair.Create("set_up", Value.Bool(SetUp)),
        KeyValuePair.Create("setup", Value.String(SetupName(Setup))),
        KeyValuePair.Create("source", Value.String(Source)),
    ]);

    /// <summary>The setup's name in the record: encrypted-block, plain-block-new-filesystem, guest-memory, …</summary>
    public static string SetupName(StorageSetup setup) => setup switch
    {
        StorageSetup.EncryptedBlock => "encrypted-block",
        StorageSetup.PlainBlockNewFilesystem => "plain-block-new-filesystem",
        StorageSetup.PlainBlockHostFilesystem => "plain-block-host-filesystem",
        StorageSetup.GuestMemory => "guest-memory",
        StorageSetup.GuestDirectory => "guest-directory",
        StorageSetup.ContainerRoot => "container-root",
        StorageSetup.Refused => "refused",
        _ => "not-carried-out",
    };
}
