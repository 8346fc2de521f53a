namespace Parma.Oci.Digests;

/// <summary>Content did not hash to the digest that named it: the content was corrupted or tampered with.</summary>
public sealed class DigestMismatchException : Exception
{
    public DigestMismatchException(string what, Digest expected, Digest actual)
        : base($"Digest mismatch for {what}: expected {expected}, got {actual}. The content is corrupt or was tampered with.")
    {
        Expected = expected;
        Actual = actual;
    }

    public Digest Expected { get; }

    public Digest Actual { get; }
}
