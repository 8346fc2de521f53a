namespace Parma.Oci.Tarfs;

/// <summary>
/// Constants of the Kata "tardev" (tarfs) image format. The full layout is described in
/// tests/Parma.Oci.Tests/README.md; in short: the uncompressed tar, immediately followed (unaligned) by
/// an inode table (32-byte inodes), the directory entry tables (32 bytes per entry), the names, then zero
/// padding and a final 4096-byte block whose bytes 3584..3599 are the super block (inode table offset and
/// inode count, little-endian u64).
/// </summary>
public static class TarfsFormat
{
    public const int InodeSize = 32;
    public const int DirEntrySize = 32;
    public const int Alignment = 4096;
    public const int SuperBlockOffsetInLastBlock = Alignment - 512;

    public const ushort TypeMask = 0xF000;
    public const ushort Socket = 0xC000;
    public const ushort Symlink = 0xA000;
    public const ushort Regular = 0x8000;
    public const ushort BlockDevice = 0x6000;
    public const ushort Directory = 0x4000;
    public const ushort CharDevice = 0x2000;
    public const ushort Fifo = 0x1000;

    public const byte OpaqueFlag = 0x1;

    /// <summary>Offset of the link name inside a tar header: a symlink's inode points at it.</summary>
    public const int TarLinkNameOffset = 157;

    public static byte DirEntryType(ushort mode) => (ushort)(mode & TypeMask) switch
    {
        Socket => 12,
        Symlink => 10,
        Regular => 8,
        BlockDevice => 6,
        Directory => 4,
        CharDevice => 2,
        Fifo => 1,
        _ => 0,
    };
}
