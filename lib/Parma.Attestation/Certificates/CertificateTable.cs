using System.Buffers.Binary;

namespace Parma.Attestation.Certificates;

/// <summary>
/// The certificate table the host attaches to an extended report (configfs-tsm auxblob, SNP_GET_EXT_REPORT):
/// entries of GUID (16 bytes), offset (u32) and length (u32), ended by an all-zero entry; offsets are from the table start.
/// </summary>
public sealed class CertificateTable
{
    public static readonly Guid Vcek = new("63da758d-e664-4564-adc5-f4b93be8accd");
    public static readonly Guid Vlek = new("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
    public static readonly Guid Ask = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    public static readonly Guid Ark = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    private const int EntrySize = 24;

    public CertificateTable(IReadOnlyDictionary<Guid, byte[]> entries)
    {
        Entries = entries;
    }

    public IReadOnlyDictionary<Guid, byte[]> Entries { get; }

    public byte[]? Get(Guid guid) => Entries.TryGetValue(guid, out var der) ? der : null;

    public static CertificateTable Parse(ReadOnlySpan<byte> table)
    {
        var entries = new Dictionary<Guid, byte[]>();
        for (var position = 0; ; position += EntrySize)
        {
            if (position + EntrySize > table.Length)
            {
                throw new FormatException("certificate table ends without its all-zero terminating entry");
            }

            var entry = table.Slice(position, EntrySize);
            if (!entry.ContainsAnyExcept((byte)0))
            {
                return new CertificateTable(entries);
            }

            var guid = new Guid(entry[..16]);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]);
            if (offset > table.Length || length > table.Length - offset)
            {
                throw new FormatException($"certificate table entry {guid} points outside the table ({offset}+{length} > {table.Length})");
            }

            entries[guid] = table.Slice((int)offset, (int)length).ToArray();
        }
    }

    public byte[] ToBytes()
    {
        var headerSize = (Entries.Count + 1) * EntrySize;
        var total = headerSize + Entries.Values.Sum(der => der.Length);
        var bytes = new byte[total];
        var position = 0;
        var dataOffset = headerSize;
        foreach (var (guid, der) in Entries)
        {
            guid.TryWriteBytes(bytes.AsSpan(position, 16));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(position + 16), (uint)dataOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(position + 20), (uint)der.Length);
            der.CopyTo(bytes, dataOffset);
            position += EntrySize;
            dataOffset += der.Length;
        }

        return bytes;
    }
}
