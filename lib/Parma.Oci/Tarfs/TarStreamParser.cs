using System.Text;

namespace Parma.Oci.Tarfs;

/// <summary>
/// A push parser for tar streams: feed it the bytes as they arrive (for example while they are also being
/// hashed) and it reports each member. It stops at the first all-zero header block (end of archive) and
/// ignores anything after it. GNU long name/link ('L'/'K') and PAX extended headers ('x') are folded
/// into the member that follows them, as the Rust <c>tar</c> crate used by Kata's tarindex does.
/// </summary>
public sealed class TarStreamParser
{
    private const int MaxMetadataSize = 1 << 20;
    private readonly Action<TarEntry> onEntry;
    private readonly byte[] header = new byte[TarHeaderFields.BlockSize];
    private int headerFilled;
    private long position;
    private long skipRemaining;
    private MemoryStream? collecting;
    private long collectRemaining;
    private byte collectingType;
    private byte[]? longName;
    private byte[]? longLink;
    private byte[]? pax;
    private bool ended;

    public TarStreamParser(Action<TarEntry> onEntry) => this.onEntry = onEntry;

    /// <summary>Total bytes fed so far.</summary>
    public long Position => position;

    /// <summary>
    /// Bytes of member data that the parser would only skip over; a reader of a seekable stream may seek
    /// past them and call <see cref="SkipData"/> instead of feeding them.
    /// </summary>
    public long DataBytesToSkip => collecting is null ? skipRemaining : 0;

    public void SkipData(long count)
    {
        if (count < 0 || count > DataBytesToSkip)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Can only skip the data of the current member.");
        }

        skipRemaining -= count;
        position += count;
    }

    /// <summary>True once the end-of-archive block was seen.</summary>
    public bool Ended => ended;

    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (ended)
            {
                position += data.Length;
                return;
            }

            int used;
            if (skipRemaining > 0)
            {
                used = (int)Math.Min(skipRemaining, data.Length);
                skipRemaining -= used;
                if (collecting is not null && collectRemaining > 0)
                {
                    var take = (int)Math.Min(collectRemaining, used);
                    collecting.Write(data[..take]);
                    collectRemaining -= take;
                }

                if (skipRemaining == 0 && collecting is not null)
                {
                    FinishCollecting();
                }
            }
            else
            {
                used = Math.Min(TarHeaderFields.BlockSize - headerFilled, data.Length);
                data[..used].CopyTo(header.AsSpan(headerFilled));
                headerFilled += used;
                if (headerFilled == TarHeaderFields.BlockSize)
                {
                    headerFilled = 0;
                    OnHeader(position + used - TarHeaderFields.BlockSize);
                }
            }

            position += used;
            data = data[used..];
        }
    }

    /// <summary>Call at end of input: a member cut short is an error.</summary>
    public void Complete()
    {
        if (ended)
        {
            return;
        }

        if (headerFilled != 0 || skipRemaining != 0)
        {
            throw new InvalidDataException($"The tar stream ends in the middle of a member (at byte {position}); the layer is truncated.");
        }

        if (longName is not null || longLink is not null || pax is not null)
        {
            throw new InvalidDataException("The tar stream ends after a long-name or PAX header with no member following it.");
        }
    }

    private void OnHeader(long headerOffset)
    {
        ReadOnlySpan<byte> h = header;
        if (TarHeaderFields.IsZeroBlock(h))
        {
            ended = true;
            return;
        }

        TarHeaderFields.VerifyChecksum(h, headerOffset);
        var headerSize = TarHeaderFields.Numeric(h.Slice(124, 12))
            ?? throw new InvalidDataException($"Tar header at offset {headerOffset} has an unreadable size field.");
        var type = h[156];
        var recognised = TarHeaderFields.IsUstar(h) || TarHeaderFields.IsGnu(h);
        var padded = checked((long)((headerSize + 511) / 512 * 512));

        if (recognised && type is (byte)'L' or (byte)'K' or (byte)'x')
        {
            var pending = type switch { (byte)'L' => longName, (byte)'K' => longLink, _ => pax };
            if (pending is not null)
            {
                throw new InvalidDataException($"Tar header at offset {headerOffset}: two '{(char)type}' headers describe the same member.");
            }

            if (headerSize > MaxMetadataSize)
            {
                throw new InvalidDataException($"Tar header at offset {headerOffset}: a '{(char)type}' header of {headerSize} bytes is too large.");
            }

            collecting = new MemoryStream((int)headerSize);
            collectRemaining = (long)headerSize;
            collectingType = type;
            skipRemaining = padded;
            if (padded == 0)
            {
                FinishCollecting();
            }

            return;
        }

        var size = (long)headerSize;
        if (size == 0 && pax is not null && PaxValue(pax, "size") is { } paxSize
            && ulong.TryParse(Encoding.UTF8.GetString(paxSize), out var parsedSize))
        {
            size = (long)parsedSize;
        }

        var isUstar = TarHeaderFields.IsUstar(h);
        var isGnu = TarHeaderFields.IsGnu(h);
        var entry = new TarEntry
        {
            HeaderOffset = headerOffset,
            DataOffset = headerOffset + TarHeaderFields.BlockSize,
            Size = size,
            TypeFlag = type,
            Path = longName is not null ? TrimOneNul(longName) : (pax is not null ? PaxValue(pax, "path") : null) ?? TarHeaderFields.HeaderPath(h),
            LinkName = longLink is not null ? TrimOneNul(longLink) : (pax is not null ? PaxValue(pax, "linkpath") : null) ?? TarHeaderFields.HeaderLinkName(h),
            HeaderLinkName = TarHeaderFields.HeaderLinkName(h),
            Mode = TarHeaderFields.Octal(h.Slice(100, 8)) is { } mode ? (uint)mode : null,
            Uid = TarHeaderFields.Numeric(h.Slice(108, 8)),
            Gid = TarHeaderFields.Numeric(h.Slice(116, 8)),
            ModificationTime = TarHeaderFields.Numeric(h.Slice(136, 12)),
            DeviceMajor = isUstar || isGnu ? (TarHeaderFields.Octal(h.Slice(329, 8)) is { } major ? (uint)major : null) : null,
            DeviceMinor = isUstar || isGnu ? (TarHeaderFields.Octal(h.Slice(337, 8)) is { } minor ? (uint)minor : null) : null,
        };
        longName = longLink = pax = null;
        skipRemaining = checked((size + 511) / 512 * 512);
        onEntry(entry);
    }

    private void FinishCollecting()
    {
        var bytes = collecting!.ToArray();
        collecting = null;
        switch (collectingType)
        {
            case (byte)'L':
                longName = bytes;
                break;
            case (byte)'K':
                longLink = bytes;
                break;
            default:
                pax = bytes;
                break;
        }
    }

    private static byte[] TrimOneNul(byte[] value) => value.Length > 0 && value[^1] == 0 ? value[..^1] : value;

    /// <summary>The first PAX record with this key ("LEN key=value\n" records); malformed records end the search.</summary>
    private static byte[]? PaxValue(byte[] records, string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var rest = records.AsSpan();
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(rest[..space]), out var length) || length > rest.Length || length <= space + 1)
            {
                return null;
            }

            var record = rest[(space + 1)..length];
            rest = rest[length..];
            if (record.IsEmpty || record[^1] != (byte)'\n')
            {
                return null;
            }

            record = record[..^1];
            var equals = record.IndexOf((byte)'=');
            if (equals < 0)
            {
                return null;
            }

            if (record[..equals].SequenceEqual(keyBytes))
            {
                return record[(equals + 1)..].ToArray();
            }
        }

        return null;
    }
}
