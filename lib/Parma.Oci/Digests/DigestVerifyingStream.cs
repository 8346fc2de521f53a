using System.Security.Cryptography;

namespace Parma.Oci.Digests;

/// <summary>
/// A read-only pass-through stream that hashes what it reads and, at end of stream, throws
/// <see cref="DigestMismatchException"/> if the content does not match the expected digest or size.
/// </summary>
public sealed class DigestVerifyingStream : ReadOnlyStream
{
    private readonly Stream inner;
    private readonly Digest expected;
    private readonly long? expectedSize;
    private readonly string what;
    private readonly IncrementalHash hash;
    private readonly bool leaveOpen;
    private long position;
    private bool verified;

    public DigestVerifyingStream(Stream inner, Digest expected, long? expectedSize, string what, bool leaveOpen = false)
    {
        this.inner = inner;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.what = what;
        this.leaveOpen = leaveOpen;
        hash = IncrementalHash.CreateHash(expected.HashAlgorithm);
    }

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Account(buffer[..read], read, buffer.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read], read, buffer.Length);
    }

    private int Account(ReadOnlySpan<byte> data, int read, int requested)
    {
        if (read > 0)
        {
            hash.AppendData(data);
            position += read;
            if (expectedSize is { } size && position > size)
            {
                throw new InvalidDataException($"{what} is longer than the {size} bytes its descriptor declares.");
            }

            return read;
        }

        if (!verified && requested > 0)
        {
            verified = true;
            if (expectedSize is { } size && position != size)
            {
                throw new InvalidDataException($"{what} has {position} bytes but its descriptor declares {size}.");
            }

            var actual = Digest.FromHash(expected.Algorithm, hash.GetHashAndReset());
            if (actual != expected)
            {
                throw new DigestMismatchException(what, expected, actual);
            }
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
