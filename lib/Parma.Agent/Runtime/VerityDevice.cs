using System.Globalization;

namespace Parma.Agent.Runtime;

/// <summary>
/// A layer file or block device opened with <c>veritysetup open</c> under the root hash the request
/// names, so that the kernel checks every block read from <see cref="DevicePath"/> against it. Used
/// when the machine has the device-mapper driver; closed (<c>veritysetup close</c>) on dispose.
/// </summary>
internal sealed class VerityDevice : IAsyncDisposable
{
    private static readonly string[] Parameters =
        ["--no-superblock", "--hash", "sha256", "--data-block-size", "4096", "--hash-block-size", "4096", "--salt", new string('0', 64)];

    private readonly string _veritysetup;

    private VerityDevice(string veritysetup, string name)
    {
        _veritysetup = veritysetup;
        Name = name;
    }

    public string Name { get; }

    public string DevicePath => "/dev/mapper/" + Name;

    /// <summary>Builds the hash tree of <paramref name="dataFile"/> (padded to 4096-byte blocks) beside it and opens the device.</summary>
    public static async Task<VerityDevice> OpenAsync(string veritysetup, string dataFile, string rootHash, CancellationToken cancellationToken)
    {
        var hashFile = dataFile + ".verity";
        await RunAsync(veritysetup, ["format", .. Parameters, dataFile, hashFile], cancellationToken).ConfigureAwait(false);
        var name = DeviceName(rootHash);
        await RunAsync(veritysetup, ["open", .. Parameters, dataFile, name, hashFile, rootHash], cancellationToken).ConfigureAwait(false);
        return new VerityDevice(veritysetup, name);
    }

    /// <summary>Opens a tardev layer device whose hash tree the host computed and appended (<see cref="LayerDevice"/>).</summary>
    public static async Task<VerityDevice> OpenAsync(string veritysetup, LayerDevice device, string rootHash, CancellationToken cancellationToken)
    {
        var name = DeviceName(rootHash);
        string[] placement = ["--data-blocks", device.DataBlocks.ToString(CultureInfo.InvariantCulture), "--hash-offset", device.HashOffset.ToString(CultureInfo.InvariantCulture)];
        await RunAsync(veritysetup, ["open", .. Parameters, .. placement, device.DevicePath, name, device.DevicePath, rootHash], cancellationToken).ConfigureAwait(false);
        return new VerityDevice(veritysetup, name);
    }

    private static string DeviceName(string rootHash) => "parma-" + rootHash[..Math.Min(16, rootHash.Length)] + "-" + Guid.NewGuid().ToString("N")[..8];

    public async ValueTask DisposeAsync() => await RunAsync(_veritysetup, ["close", Name], CancellationToken.None).ConfigureAwait(false);

    private static Task RunAsync(string veritysetup, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ExternalTool.RunAsync(veritysetup, arguments, $"veritysetup {arguments[0]}", cancellationToken);
}
