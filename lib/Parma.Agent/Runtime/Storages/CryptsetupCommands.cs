namespace Parma.Agent.Runtime;

/// <summary>
/// The cryptsetup command lines of an encrypted storage. LUKS2 with aes-xts-plain64 and hmac-sha256
/// integrity (dm-crypt over dm-integrity, authenticated per 4 KiB sector), the header detached into
/// guest memory (the host sees no header on its device: nothing to tamper with or to attack offline),
/// the integrity tags not wiped at format (a wipe writes the whole device; unwritten sectors just fail
/// to read, so the file system is made integrity-safe instead: <see cref="Ext4Formatter"/>), PBKDF2
/// with 1000 iterations (the passphrase is 4096 random bytes, so key stretching buys nothing, and
/// argon2's default memory cost does not fit small guests), and the passphrase read from standard input.
/// dm-integrity runs without its journal (given at open: an activation flag, not a header setting);
/// dm-crypt's authenticated encryption already detects a torn sector.
/// </summary>
internal static class CryptsetupCommands
{
    public const string Cipher = "aes-xts-plain64";
    public const string Integrity = "hmac-sha256";
    public const int SectorSize = 4096;
    public const int PbkdfIterations = 1000;

    /// <summary>Formats <paramref name="device"/> with a new volume key wrapped under the passphrase on standard input.</summary>
    public static string[] Format(string device, string header) =>
    [
        "--batch-mode", "luksFormat",
        "--type", "luks2",
        "--cipher", Cipher,
        "--integrity", Integrity, "--integrity-no-wipe",
        "--sector-size", SectorSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", PbkdfIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--header", header,
        "--key-file", "-",
        device,
    ];

    /// <summary>Opens the formatted device as /dev/mapper/<paramref name="name"/>, dm-integrity without its journal.</summary>
    public static string[] Open(string device, string header, string name) =>
    [
        "open", "--type", "luks2",
        "--header", header,
        "--key-file", "-",
        "--integrity-no-journal",
        device, name,
    ];

    public static string[] Close(string name) => ["close", name];
}
