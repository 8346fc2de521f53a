using System.Security.Cryptography;

namespace Parma.Agent.Runtime;

/// <summary>
/// The passphrase of an encrypted storage: 4096 bytes from the guest's CSPRNG, in a pinned array (the
/// garbage collector never moves it, so no copy of it is left behind in the heap), handed to cryptsetup
/// only through a pipe to its standard input, and zeroed on dispose. cryptsetup makes the volume key
/// itself; once the device is open, neither the passphrase nor the header that wraps the volume key
/// exists any more, so the storage can never be opened again, by the host or by the guest.
/// </summary>
internal sealed class EphemeralKey : IDisposable
{
    public const int Length = 4096;

    private readonly byte[] _bytes = GC.AllocateArray<byte>(Length, pinned: true);
    private bool _disposed;

    private EphemeralKey() => RandomNumberGenerator.Fill(_bytes);

    public static EphemeralKey Create() => new();

    /// <summary>The key bytes; only for writing to a tool's standard input.</summary>
    public byte[] Bytes => _disposed ? throw new ObjectDisposedException(nameof(EphemeralKey)) : _bytes;

    /// <summary>Whether every byte is zero (after <see cref="Dispose"/>).</summary>
    internal bool IsWiped => _bytes.All(b => b == 0);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_bytes);
        _disposed = true;
    }
}
