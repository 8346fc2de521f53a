using System.Buffers.Binary;
using System.Text;

namespace Parma.Oci.Tests.Tarfs;

/// <summary>
/// An independent reader of a tardev image, written from the format description (as the kernel's tarfs
/// would read it), used to check what the index builder wrote.
/// </summary>
internal sealed class TarfsReader
{
    private readonly byte[] image;

    private TarfsReader(byte[] image, ulong inodeTableOffset, ulong inodeCount)
    {
        this.image = image;
        InodeTableOffset = inodeTableOffset;
        InodeCount = inodeCount;
    }

    public ulong InodeTableOffset { get; }

    public ulong InodeCount { get; }

    public static TarfsReader Read(byte[] image)
    {
        var superBlock = image.AsSpan(image.Length - 4096 + 3584);
        return new TarfsReader(image, BinaryPrimitives.ReadUInt64LittleEndian(superBlock), BinaryPrimitives.ReadUInt64LittleEndian(superBlock[8..]));
    }

    public record Inode(ushort Mode, byte Flags, uint Owner, uint Group, ulong Size, ulong Offset);

    public Inode Get(ulong ino)
    {
        ino.Should().BeInRange(1UL, InodeCount);
        var span = image.AsSpan((int)(InodeTableOffset + ((ino - 1) * 32)), 32);
        return new Inode(
            BinaryPrimitives.ReadUInt16LittleEndian(span),
            span[2],
            BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[24..]));
    }

    public IEnumerable<(string Name, ulong Ino, byte Type)> Entries(ulong dirIno)
    {
        var dir = Get(dirIno);
        (dir.Mode & 0xF000).Should().Be(0x4000);
        for (ulong i = 0; i < dir.Size / 32; i++)
        {
            var span = image.AsSpan((int)(dir.Offset + (i * 32)), 32);
            var nameOffset = BinaryPrimitives.ReadUInt64LittleEndian(span[8..]);
            var nameLength = BinaryPrimitives.ReadUInt64LittleEndian(span[16..]);
            yield return (Encoding.UTF8.GetString(image, (int)nameOffset, (int)nameLength), BinaryPrimitives.ReadUInt64LittleEndian(span), span[24]);
        }
    }

    public ulong LookupIno(string path)
    {
        ulong ino = 1;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Entries(ino).Where(e => e.Name == part).ToList();
            match.Should().ContainSingle($"'{part}' of {path} should be in its directory");
            ino = match[0].Ino;
        }

        return ino;
    }

    public Inode Lookup(string path) => Get(LookupIno(path));

    public IEnumerable<string> Children(string path) => Entries(LookupIno(path)).Select(e => e.Name);
}
