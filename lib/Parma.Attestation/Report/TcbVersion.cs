using System.Buffers.Binary;

namespace Parma.Attestation.Report;

/// <summary>A TCB_VERSION: 8 bytes whose meaning depends on the product.</summary>
public readonly record struct TcbVersion(ulong Raw)
{
    public byte this[int index] => (byte)(Raw >> (8 * index));

    /// <summary>The 8 raw bytes in report order (little-endian), as lowercase hex.</summary>
    public string Hex
    {
        get
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, Raw);
            return Convert.ToHexStringLower(bytes);
        }
    }

    /// <summary>Milan/Genoa: [0] bootloader, [1] TEE, [6] SNP, [7] microcode. Turin: [0] FMC, [1] bootloader, [2] TEE, [3] SNP, [7] microcode.</summary>
    public TcbComponents Decode(SnpProduct product) => product == SnpProduct.Turin
        ? new TcbComponents(this[1], this[2], this[3], this[7], this[0])
        : new TcbComponents(this[0], this[1], this[6], this[7], null);

    public static TcbVersion Encode(TcbComponents components, SnpProduct product)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (product == SnpProduct.Turin)
        {
            bytes[0] = components.Fmc ?? 0;
            bytes[1] = components.Bootloader;
            bytes[2] = components.Tee;
            bytes[3] = components.Snp;
        }
        else
        {
            bytes[0] = components.Bootloader;
            bytes[1] = components.Tee;
            bytes[6] = components.Snp;
        }

        bytes[7] = components.Microcode;
        return new TcbVersion(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
    }

    public override string ToString() => Hex;
}

/// <summary>The security patch levels in a TCB version. <see cref="Fmc"/> exists on Turin only.</summary>
public sealed record TcbComponents(byte Bootloader, byte Tee, byte Snp, byte Microcode, byte? Fmc = null)
{
    /// <summary>True when every component is at least the minimum's (a missing FMC minimum is not checked).</summary>
    public bool IsAtLeast(TcbComponents minimum) =>
        Bootloader >= minimum.Bootloader && Tee >= minimum.Tee && Snp >= minimum.Snp && Microcode >= minimum.Microcode
        && (minimum.Fmc is null || (Fmc ?? 0) >= minimum.Fmc);

    public override string ToString() =>
        (Fmc is null ? string.Empty : $"fmc={Fmc} ") + $"bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}";
}
