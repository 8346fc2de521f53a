using System.Text;

namespace Parma.Oci.Tarfs;

/// <summary>Parsing of the fixed 512-byte tar header (v7, ustar and GNU flavours).</summary>
internal static class TarHeaderFields
{
    public const int BlockSize = 512;

    public static bool IsZeroBlock(ReadOnlySpan<byte> header) => !header.ContainsAnyExcept((byte)0);

    public static bool IsUstar(ReadOnlySpan<byte> h) => h.Slice(257, 6).SequenceEqual("ustar\0"u8) && h.Slice(263, 2).SequenceEqual("00"u8);

    public static bool IsGnu(ReadOnlySpan<byte> h) => h.Slice(257, 6).SequenceEqual("ustar "u8) && h.Slice(263, 2).SequenceEqual(" \0"u8);

    public static void VerifyChecksum(ReadOnlySpan<byte> h, long offset)
    {
        uint sum = 8 * 32;
        for (var i = 0; i < BlockSize; i++)
        {
            if (i is < 148 or >= 156)
            {
                sum += h[i];
            }
        }

        var stored = Octal(h.Slice(148, 8));
        if (stored is null || (uint)stored.Value != sum)
        {
            throw new InvalidDataException($"Tar header at offset {offset} has a bad checksum; the layer is not a valid tar.");
        }
    }

    /// <summary>Size, uid, gid and mtime: octal text, or big-endian base-256 when the top bit of the first byte is set.</summary>
    public static ulong? Numeric(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) == 0)
        {
            return Octal(field);
        }

        ulong value;
        int skip;
        if (field.Length == 8)
        {
            value = (ulong)(field[0] ^ 0x80);
            skip = 1;
        }
        else
        {
            value = 0;
            skip = field.Length - 8;
        }

        foreach (var b in field[skip..])
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>Octal text up to the first NUL, surrounding whitespace ignored; null if it is not a number.</summary>
    public static ulong? Octal(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        if (nul >= 0)
        {
            field = field[..nul];
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(field).Trim();
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        if (text.StartsWith('+'))
        {
            text = text[1..];
        }

        if (text.Length == 0)
        {
            return null;
        }

        ulong value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7' || value > ulong.MaxValue >> 3)
            {
                return null;
            }

            value = (value << 3) | (uint)(c - '0');
        }

        return value;
    }

    public static byte[] CString(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return (nul >= 0 ? field[..nul] : field).ToArray();
    }

    /// <summary>The header's path: for ustar, prefix + '/' + name when the prefix is set; otherwise the name.</summary>
    public static byte[] HeaderPath(ReadOnlySpan<byte> h)
    {
        var name = CString(h[..100]);
        if (!IsUstar(h))
        {
            return name;
        }

        var prefix = CString(h.Slice(345, 155));
        return prefix.Length == 0 ? name : [.. prefix, (byte)'/', .. name];
    }

    public static byte[]? HeaderLinkName(ReadOnlySpan<byte> h) => h[157] == 0 ? null : CString(h.Slice(157, 100));
}
