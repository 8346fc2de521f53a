namespace Parma.Policy.Generation;

/// <summary>
/// How the nodes' Kata runtime gives pods their disk-backed emptyDir volumes (its <c>emptydir_mode</c>),
/// which the policy must match: the requests differ, and so does whether the volume is encrypted.
/// </summary>
public enum EmptyDirMode
{
    /// <summary>
    /// block-encrypted (the default, as in Kata's SNP/TDX configurations): a disk per volume, which the
    /// guest encrypts and integrity-protects under a key it makes, formats and mounts.
    /// </summary>
    BlockEncrypted,

    /// <summary>block-plain: a disk per volume, formatted by the guest but NOT encrypted; the policy then says it allows unencrypted storage.</summary>
    BlockPlain,

    /// <summary>shared-fs: in a confidential guest (no shared file system), a directory the guest makes in its memory (a local storage).</summary>
    SharedFs,
}

/// <summary>The spec's names of <see cref="EmptyDirMode"/>, as Kata names its emptydir_mode values.</summary>
public static class EmptyDirModes
{
    public const string BlockEncrypted = "block-encrypted";
    public const string BlockPlain = "block-plain";
    public const string SharedFs = "shared-fs";

    public static string Name(EmptyDirMode mode) => mode switch
    {
        EmptyDirMode.BlockPlain => BlockPlain,
        EmptyDirMode.SharedFs => SharedFs,
        _ => BlockEncrypted,
    };
}
