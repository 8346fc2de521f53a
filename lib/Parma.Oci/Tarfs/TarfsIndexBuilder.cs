using System.Buffers.Binary;

namespace Parma.Oci.Tarfs;

/// <summary>Receives bytes as they are produced (for hashing or writing).</summary>
public delegate void ByteSink(ReadOnlySpan<byte> data);

/// <summary>
/// Builds the tarfs index that Kata's tardev snapshotter appends to a layer tar. Feed it every tar member
/// in order (<see cref="Add"/>), then <see cref="WriteIndex"/> with the tar's total length. The output is
/// byte-for-byte what Kata's <c>tarindex::append_index</c> appends, including its quirks (see the README
/// in the tests): unsupported members are skipped, a later member replaces an earlier one at the same
/// path (dropping its children), whiteouts become 0/0 character devices, and the super block position is
/// computed from an end offset that counts the names twice.
/// </summary>
public sealed class TarfsIndexBuilder
{
    private const long MaxVisits = 50_000_000;
    private TarfsNode root = new() { Mode = TarfsFormat.Directory | 0x16D };
    private readonly List<string> skipped = [];

    /// <summary>Members that were left out of the index, with the reason (for diagnostics).</summary>
    public IReadOnlyList<string> Skipped => skipped;

    public void Add(TarEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Mode is not { } rawMode)
        {
            Skip(entry, "its mode field does not parse");
            return;
        }

        var mode = (ushort)(rawMode & 0x1FF);
        ulong size;
        ulong offset;
        switch (entry.TypeFlag)
        {
            case (byte)'0' or 0:
                mode |= TarfsFormat.Regular;
                size = (ulong)entry.Size;
                offset = (ulong)entry.DataOffset;
                break;
            case (byte)'5':
                mode |= TarfsFormat.Directory;
                size = 0;
                offset = 0;
                break;
            case (byte)'6':
                mode |= TarfsFormat.Fifo;
                size = 0;
                offset = 0;
                break;
            case (byte)'3' or (byte)'4':
                mode |= entry.TypeFlag == (byte)'3' ? TarfsFormat.CharDevice : TarfsFormat.BlockDevice;
                if (entry.DeviceMajor is not { } major || entry.DeviceMinor is not { } minor)
                {
                    Skip(entry, "a device without readable major/minor numbers");
                    return;
                }

                offset = minor | ((ulong)major << 32);
                size = 0;
                break;
            case (byte)'2':
                mode |= TarfsFormat.Symlink;
                if (entry.LinkName is not { } target)
                {
                    Skip(entry, "a symlink without a target");
                    return;
                }

                if (!target.AsSpan().SequenceEqual(entry.HeaderLinkName ?? []))
                {
                    Skip(entry, "a symlink whose target does not fit in the tar header");
                    return;
                }

                size = (ulong)target.Length;
                offset = (ulong)(entry.HeaderOffset + TarfsFormat.TarLinkNameOffset);
                break;
            case (byte)'1':
                if (entry.LinkName is { } linkTarget)
                {
                    AddHardLink(entry.Path, linkTarget);
                }
                else
                {
                    Skip(entry, "a hard link without a target");
                }

                return;
            default:
                Skip(entry, $"unsupported member type '{(char)entry.TypeFlag}'");
                return;
        }

        AddNode(entry, mode, size, offset);
    }

    private void AddNode(TarEntry entry, ushort mode, ulong size, ulong offset)
    {
        if (CleanPath(entry.Path) is not { } path)
        {
            Skip(entry, "its path points outside the root");
            return;
        }

        if (path.Count > 0)
        {
            var last = path[^1];
            if (last.AsSpan().SequenceEqual(".wh..wh..opq"u8))
            {
                Traverse(path.Take(path.Count - 1)).IsOpaque = true;
                return;
            }

            if (last.AsSpan().StartsWith(".wh."u8))
            {
                path[^1] = last[4..];
                var hidden = Traverse(path);
                hidden.ClearChildren();
                hidden.Mode = (ushort)((hidden.Mode & ~TarfsFormat.TypeMask) | TarfsFormat.CharDevice);
                hidden.Size = 0;
                hidden.Offset = 0;
                return;
            }
        }

        Traverse(path).ReplaceWith(mode, size, offset, entry.ModificationTime ?? 0, (uint)(entry.Uid ?? 0), (uint)(entry.Gid ?? 0));
    }

    private void AddHardLink(byte[] name, byte[] linkName)
    {
        if (CleanPath(linkName) is not { } targetPath)
        {
            skipped.Add($"{Text(name)}: hard link target {Text(linkName)} points outside the root");
            return;
        }

        var existing = Traverse(targetPath);
        if ((existing.Mode & TarfsFormat.TypeMask) != TarfsFormat.Regular)
        {
            skipped.Add($"{Text(name)}: hard link to {Text(linkName)}, which is not a regular file");
            return;
        }

        if (CleanPath(name) is not { } path)
        {
            skipped.Add($"{Text(name)}: its path points outside the root");
            return;
        }

        if (path.Count == 0)
        {
            root = existing;
            return;
        }

        var parent = Traverse(path.Take(path.Count - 1));
        parent.Children[path[^1]] = existing;
    }

    /// <summary>Writes the index that follows a tar of <paramref name="contentsSize"/> bytes; returns the bytes written.</summary>
    public long WriteIndex(long contentsSize, ByteSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ulong inodeCount = 0;
        VisitBreadthFirst(node =>
        {
            if (node.Ino == 0)
            {
                node.Ino = ++inodeCount;
            }
        });

        var inodeTableSize = TarfsFormat.InodeSize * inodeCount;
        var offset = (ulong)contentsSize + inodeTableSize;
        VisitBreadthFirst(node =>
        {
            if (!node.IsDirectory)
            {
                return;
            }

            node.Offset = offset;
            node.Size = TarfsFormat.DirEntrySize * (ulong)node.Children.Count;
            offset += node.Size;
        });
        var stringTableOffset = offset;

        long written = 0;
        var buffer = new byte[TarfsFormat.InodeSize];
        VisitBreadthFirst(node =>
        {
            if (node.Emitted)
            {
                return;
            }

            node.Emitted = true;
            var span = buffer.AsSpan();
            BinaryPrimitives.WriteUInt16LittleEndian(span, node.Mode);
            span[2] = node.IsOpaque ? TarfsFormat.OpaqueFlag : (byte)0;
            span[3] = (byte)((node.ModificationTime >> 32) & 0xF);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], node.Owner);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], node.Group);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)node.ModificationTime);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], node.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(span[24..], node.Offset);
            sink(span);
            written += span.Length;
        });

        var nameOffset = stringTableOffset;
        VisitBreadthFirst(node =>
        {
            if (!node.IsDirectory)
            {
                return;
            }

            foreach (var (name, child) in node.Children)
            {
                var span = buffer.AsSpan();
                BinaryPrimitives.WriteUInt64LittleEndian(span, child.Ino);
                BinaryPrimitives.WriteUInt64LittleEndian(span[8..], nameOffset);
                BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)name.Length);
                span[24] = TarfsFormat.DirEntryType(child.Mode);
                span[25..].Clear();
                sink(span);
                written += span.Length;
                nameOffset += (ulong)name.Length;
            }
        });

        // Kata's tarindex keeps adding the name lengths to the end offset while writing the names, so the
        // end it aligns is past the real end by the total name length. Reproduce it: the super block's
        // position depends on it.
        var endOffset = nameOffset;
        VisitBreadthFirst(node =>
        {
            if (!node.IsDirectory)
            {
                return;
            }

            foreach (var name in node.Children.Keys)
            {
                sink(name);
                written += name.Length;
                endOffset += (ulong)name.Length;
            }
        });

        var alignedEnd = (endOffset + TarfsFormat.Alignment - 1) / TarfsFormat.Alignment * TarfsFormat.Alignment;
        var superBlockAt = alignedEnd + TarfsFormat.SuperBlockOffsetInLastBlock;
        var zeros = new byte[TarfsFormat.Alignment];
        var position = (ulong)contentsSize + (ulong)written;
        WriteZeros(sink, zeros, superBlockAt - position, ref written);
        var superBlock = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(superBlock, (ulong)contentsSize);
        BinaryPrimitives.WriteUInt64LittleEndian(superBlock.AsSpan(8), inodeCount);
        sink(superBlock);
        written += superBlock.Length;
        WriteZeros(sink, zeros, alignedEnd + TarfsFormat.Alignment - ((ulong)contentsSize + (ulong)written), ref written);
        return written;
    }

    private static void WriteZeros(ByteSink sink, byte[] zeros, ulong count, ref long written)
    {
        while (count > 0)
        {
            var take = (int)Math.Min(count, (ulong)zeros.Length);
            sink(zeros.AsSpan(0, take));
            written += take;
            count -= (ulong)take;
        }
    }

    private void VisitBreadthFirst(Action<TarfsNode> visitor)
    {
        var queue = new Queue<TarfsNode>();
        queue.Enqueue(root);
        long visits = 0;
        while (queue.TryDequeue(out var node))
        {
            if (++visits > MaxVisits)
            {
                throw new InvalidDataException("The layer's hard links form a cycle (or the tree is unreasonably large); cannot build a tarfs index.");
            }

            visitor(node);
            foreach (var child in node.Children.Values)
            {
                queue.Enqueue(child);
            }
        }
    }

    private TarfsNode Traverse(IEnumerable<byte[]> path)
    {
        var node = root;
        foreach (var component in path)
        {
            node = node.FindOrCreateChild(component);
        }

        return node;
    }

    /// <summary>Splits on '/', dropping empty and '.' components and resolving '..'; null if '..' climbs above the root.</summary>
    private static List<byte[]>? CleanPath(byte[] path)
    {
        var components = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != (byte)'/')
            {
                continue;
            }

            var component = path.AsSpan(start, i - start);
            start = i + 1;
            if (component.IsEmpty || component.SequenceEqual("."u8))
            {
                continue;
            }

            if (component.SequenceEqual(".."u8))
            {
                if (components.Count == 0)
                {
                    return null;
                }

                components.RemoveAt(components.Count - 1);
                continue;
            }

            components.Add(component.ToArray());
        }

        return components;
    }

    private void Skip(TarEntry entry, string reason) => skipped.Add($"{Text(entry.Path)}: {reason}");

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
