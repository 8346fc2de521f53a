namespace Parma.Oci.Tarfs;

/// <summary>
/// One member of a tar stream as a reader that honours GNU long names and PAX path/linkpath/size
/// sees it. Numeric header fields that do not parse are null (callers decide what that means).
/// </summary>
public sealed record TarEntry
{
    /// <summary>Offset of this member's own header block (after any long-name or PAX blocks).</summary>
    public long HeaderOffset { get; init; }

    /// <summary>Offset of the member's data (the header offset plus 512).</summary>
    public long DataOffset { get; init; }

    public long Size { get; init; }

    /// <summary>The raw type flag byte ('0', '\0', '1', '2', '5', …).</summary>
    public byte TypeFlag { get; init; }

    /// <summary>The effective path: GNU long name, else PAX <c>path</c>, else the header's (prefix/)name.</summary>
    public required byte[] Path { get; init; }

    /// <summary>The effective link target (GNU long link, PAX <c>linkpath</c>, or the header field); null when empty.</summary>
    public byte[]? LinkName { get; init; }

    /// <summary>The header's own 100-byte link name field (null when empty).</summary>
    public byte[]? HeaderLinkName { get; init; }

    public uint? Mode { get; init; }

    public ulong? Uid { get; init; }

    public ulong? Gid { get; init; }

    public ulong? ModificationTime { get; init; }

    /// <summary>Device numbers; null for headers without ustar/GNU magic or when the field does not parse.</summary>
    public uint? DeviceMajor { get; init; }

    public uint? DeviceMinor { get; init; }

    public string PathText => System.Text.Encoding.UTF8.GetString(Path);
}
