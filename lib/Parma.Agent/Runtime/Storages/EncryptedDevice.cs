using System.Diagnostics;
using System.Security.Cryptography;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// A block device the host attached, encrypted and integrity-protected by the guest under an ephemeral
/// key (<see cref="EphemeralKey"/>, <see cref="CryptsetupCommands"/>) and opened as
/// <see cref="DevicePath"/>. The detached LUKS2 header lives in guest memory only while the device is
/// formatted and opened; it is then overwritten and deleted, as the passphrase is wiped, so nothing
/// that could open the device again remains anywhere (the volume key lives on in the kernel's dm-crypt
/// table until <see cref="CloseAsync"/>).
/// </summary>
internal sealed class EncryptedDevice
{
    private readonly string _cryptsetup;

    private EncryptedDevice(string cryptsetup, string name, TimeSpan formatTime, TimeSpan openTime)
    {
        _cryptsetup = cryptsetup;
        Name = name;
        FormatTime = formatTime;
        OpenTime = openTime;
    }

    public string Name { get; }

    public string DevicePath => "/dev/mapper/" + Name;

    public TimeSpan FormatTime { get; }

    public TimeSpan OpenTime { get; }

    /// <summary>
    /// Formats and opens <paramref name="device"/>. <paramref name="headerDirectory"/> must be memory-backed
    /// (tmpfs or ramfs): a header written to a disk the host can read would hold the volume key, wrapped
    /// under a passphrase that, though wiped here, should never have a chance to be attacked offline.
    /// </summary>
    public static async Task<EncryptedDevice> CreateAsync(string cryptsetup, string device, string headerDirectory, string what, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(headerDirectory);
        LinuxFileSystem.SetMode(headerDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!FileSystemMedium.IsMemory(headerDirectory))
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {headerDirectory}, where the detached LUKS2 header is made, is not in guest memory (tmpfs or ramfs), so the agent does not encrypt there");
        }

        var name = "parma-storage-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var header = Path.Combine(headerDirectory, name + ".luks");
        try
        {
            using var key = EphemeralKey.Create();
            var watch = Stopwatch.StartNew();
            await RunAsync(cryptsetup, CryptsetupCommands.Format(device, header), "luksFormat", what, key, cancellationToken).ConfigureAwait(false);
            var formatTime = watch.Elapsed;
            watch.Restart();
            await RunAsync(cryptsetup, CryptsetupCommands.Open(device, header, name), "open", what, key, cancellationToken).ConfigureAwait(false);
            var openTime = watch.Elapsed;
            return new EncryptedDevice(cryptsetup, name, formatTime, openTime);
        }
        finally
        {
            Shred(header);
        }
    }

    /// <summary>Removes the mapping (the kernel forgets the volume key). The file system on it must be unmounted.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        // A mapping whose last user just went away can be busy for a moment.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExternalTool.RunAsync(_cryptsetup, CryptsetupCommands.Close(Name), $"cryptsetup close {Name}", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(100 * attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunAsync(string cryptsetup, string[] arguments, string step, string what, EphemeralKey key, CancellationToken cancellationToken)
    {
        try
        {
            await ExternalTool.RunAsync(cryptsetup, arguments, $"cryptsetup {step}", cancellationToken, key.Bytes).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: {e.Message}");
        }
    }

    /// <summary>Overwrites the header file with zeros and deletes it.</summary>
    private static void Shred(string header)
    {
        try
        {
            if (!File.Exists(header))
            {
                return;
            }

            using (var file = new FileStream(header, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                var zeros = new byte[64 * 1024];
                for (long written = 0, length = file.Length; written < length; written += zeros.Length)
                {
                    file.Write(zeros, 0, (int)Math.Min(zeros.Length, length - written));
                }

                file.Flush(flushToDisk: true);
            }

            File.Delete(header);
        }
        catch (IOException)
        {
            // A header left behind is in guest memory and wraps the volume key under a passphrase that no longer exists.
        }
    }
}
