namespace Parma.Oci.Tarfs;

/// <summary>A node of the tarfs directory tree. Hard links share one node, as in Kata's tarindex.</summary>
internal sealed class TarfsNode
{
    public SortedDictionary<byte[], TarfsNode> Children { get; private set; } = new(ByteStringComparer.Instance);

    public ulong Offset { get; set; }

    public ulong Size { get; set; }

    public ushort Mode { get; set; }

    public ulong Ino { get; set; }

    public bool Emitted { get; set; }

    public bool IsOpaque { get; set; }

    public ulong ModificationTime { get; set; }

    public uint Owner { get; set; }

    public uint Group { get; set; }

    public bool IsDirectory => (Mode & TarfsFormat.TypeMask) == TarfsFormat.Directory;

    public TarfsNode FindOrCreateChild(byte[] name)
    {
        if (!Children.TryGetValue(name, out var child))
        {
            child = new TarfsNode();
            Children.Add(name, child);
        }

        return child;
    }

    /// <summary>Replaces everything about this node (including dropping its children) with a new member's metadata.</summary>
    public void ReplaceWith(ushort mode, ulong size, ulong offset, ulong mtime, uint owner, uint group)
    {
        Children = new SortedDictionary<byte[], TarfsNode>(ByteStringComparer.Instance);
        Mode = mode;
        Size = size;
        Offset = offset;
        ModificationTime = mtime;
        Owner = owner;
        Group = group;
        Ino = 0;
        Emitted = false;
        IsOpaque = false;
    }

    public void ClearChildren() => Children = new SortedDictionary<byte[], TarfsNode>(ByteStringComparer.Instance);
}

/// <summary>Orders names by their bytes, shorter first on a common prefix (like Rust's Vec&lt;u8&gt; ordering).</summary>
internal sealed class ByteStringComparer : IComparer<byte[]>
{
    public static ByteStringComparer Instance { get; } = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
