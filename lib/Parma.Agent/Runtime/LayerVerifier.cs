using System.Text.RegularExpressions;
using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Oci.Sources;
using Parma.Oci.Verity;

namespace Parma.Agent.Runtime;

/// <summary>
/// Checks each tardev layer storage of a CreateContainer request. The host chooses the storage's
/// source, so it is accepted only where the policy's runtime keeps that layer's file
/// (<see cref="LayerSourcePolicy.SourceOf"/>) or where an agent --layer-source pattern allows (the
/// only way a block device — a PCI path or /dev name — is ever accepted), and no more bytes are read
/// from it than the policy's size for the layer (else --max-layer-bytes): a source that names another
/// guest file, a device or an endless stream is refused before or at that bound, and a block device
/// whose tardev parameters claim more data than that bound is refused before its data is read. The
/// dm-verity root hash of the bytes read, recomputed here (or checked by the kernel's dm-verity for a
/// device the store unpacks), must equal the storage's root-hash option (which the policy already
/// compared with the image's).
/// </summary>
public sealed class LayerVerifier(RuntimeOptions options)
{
    public const string RootHashOption = "io.katacontainers.fs-opt.root-hash=";

    private const int BlockSize = 4096;

    private readonly Regex[] _patterns = [.. options.LayerSourcePatterns.Select(p => new Regex($"^(?:{p})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];

    /// <summary>The request's layer storages with the root hash each names, its checked source and its bound.</summary>
    public IReadOnlyList<LayerSource> Sources(CreateContainerRequest request, LayerSourcePolicy policy)
    {
        var sources = new List<LayerSource>();
        for (var i = 0; i < request.Storages.Count; i++)
        {
            var storage = request.Storages[i];
            if (storage.Fstype != "tar")
            {
                continue;
            }

            var expected = storage.Options.FirstOrDefault(o => o.StartsWith(RootHashOption, StringComparison.Ordinal))?[RootHashOption.Length..]
                ?? throw new RuntimeException(StatusCode.InvalidArgument, $"storages[{i}] ({storage.MountPoint}): a layer storage without a root-hash option");
            var layerId = storage.MountPoint.TrimEnd('/').Split('/')[^1];
            CheckSource(i, storage.Source, layerId, policy);

            // A block device (PCI path or /dev name) is resolved when it is opened; a file is looked up here.
            var onBlockDevice = LayerDevice.IsDeviceSource(storage.Source);
            if (!onBlockDevice && !storage.Source.StartsWith('/'))
            {
                throw new RuntimeException(StatusCode.InvalidArgument,
                    $"storages[{i}]: layer source '{storage.Source}' is neither a block device (a PCI path such as 02/00, or /dev/NAME) nor an absolute file path");
            }

            var path = onBlockDevice ? storage.Source : options.ResolveSource(storage.Source);
            if (!onBlockDevice && !File.Exists(path))
            {
                throw new RuntimeException(StatusCode.NotFound, $"storages[{i}]: layer file {path} does not exist");
            }

            var size = policy.SizeOf(expected);
            sources.Add(new LayerSource(i, storage.MountPoint, expected, path, size ?? options.MaxLayerBytes, size is null) { OnBlockDevice = onBlockDevice });
        }

        return sources;
    }

    private void CheckSource(int index, string source, string layerId, LayerSourcePolicy policy)
    {
        var layerFile = layerId is "" or "." or ".." ? null : policy.SourceOf(layerId);
        if (layerFile is not null && source == layerFile || _patterns.Any(p => p.IsMatch(source)))
        {
            return;
        }

        var allowed = string.Join(" or ", new[]
        {
            layerFile is null ? null : $"the policy's layer file {layerFile}",
            _patterns.Length == 0 ? null : $"a path matching --layer-source {string.Join(", ", options.LayerSourcePatterns)}",
        }.OfType<string>());
        throw new RuntimeException(StatusCode.PermissionDenied,
            $"storages[{index}]: layer source '{source}' is not allowed: it must be {(allowed.Length == 0 ? "a layer file the policy names, and the policy names none" : allowed)}");
    }

    /// <summary>Verifies every layer in place (no copy): for backends that only check layers and mount nothing.</summary>
    public async Task<IReadOnlyList<VerifiedLayer>> VerifyAsync(IReadOnlyList<LayerSource> sources, CancellationToken cancellationToken)
    {
        var verified = new List<VerifiedLayer>();
        foreach (var source in sources)
        {
            var actual = source.OnBlockDevice
                ? await HashDeviceAsync(source, cancellationToken).ConfigureAwait(false)
                : await ReadAsync(source, copy: null, cancellationToken).ConfigureAwait(false);
            verified.Add(new VerifiedLayer(source.MountPoint, source.Path, actual.Hex, actual.DataSize));
        }

        return verified;
    }

    /// <summary>
    /// Reads the layer source to its end, at most its bound, into the hash tree (and into <paramref name="copy"/>,
    /// zero-padded to whole blocks), and checks the root hash of exactly the bytes read. A read the host
    /// stalls ends when <paramref name="cancellationToken"/> does (the request's deadline).
    /// </summary>
    public static async Task<VerityRootHash> ReadAsync(LayerSource source, Stream? copy, CancellationToken cancellationToken)
    {
        VerityRootHash actual;
        try
        {
            using var tree = new VerityTreeBuilder();
            await using (var input = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (tree.Length + read > source.MaxBytes)
                    {
                        throw TooLarge(source);
                    }

                    tree.Append(buffer.AsSpan(0, read));
                    if (copy is not null)
                    {
                        await copy.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (tree.Length == 0)
            {
                throw new InvalidDataException("the layer file is empty");
            }

            if (copy is not null)
            {
                await copy.WriteAsync(new byte[(int)((BlockSize - (tree.Length % BlockSize)) % BlockSize)], cancellationToken).ConfigureAwait(false);
            }

            actual = tree.Finish();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw Unreadable(source, e);
        }

        return string.Equals(actual.Hex, source.ExpectedRootHash, StringComparison.OrdinalIgnoreCase) ? actual : throw Tampered(source, actual.Hex);
    }

    /// <summary>
    /// Finds the layer's block device and reads its tardev parameters (the last block only). A device whose
    /// parameters claim more data than the layer's bound is refused here, before any of its data is read.
    /// </summary>
    public static async Task<LayerDevice> OpenDeviceAsync(LayerSource source, CancellationToken cancellationToken)
    {
        var what = $"storages[{source.Index}]";
        return WithinBound(source, LayerDevice.Open(await LayerDevice.ResolveAsync(source.Path, what, cancellationToken).ConfigureAwait(false), what));
    }

    /// <summary>The device when the data its parameters claim fits the layer's bound (the policy's size, else --max-layer-bytes); refused otherwise.</summary>
    public static LayerDevice WithinBound(LayerSource source, LayerDevice device) =>
        device.DataSize <= source.MaxBytes
            ? device
            : throw new RuntimeException(
                StatusCode.PermissionDenied,
                $"storages[{source.Index}]: layer device {source.Path} ({device.DevicePath}) claims {device.DataBlocks} data blocks ({device.DataSize} bytes), more than the {source.MaxBytes} bytes "
                + BoundName(source) + "; refused before reading its data");

    /// <summary>The root hash of the layer image on a tardev block device (its data blocks, without the tree the host appended).</summary>
    private static async Task<VerityRootHash> HashDeviceAsync(LayerSource source, CancellationToken cancellationToken)
    {
        var device = await OpenDeviceAsync(source, cancellationToken).ConfigureAwait(false);
        VerityRootHash actual;
        try
        {
            await using var data = new BoundedStream(new FileStream(device.DevicePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0), device.DataSize);
            actual = await VerityHasher.HashStreamAsync(data, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw Unreadable(source, e);
        }

        return string.Equals(actual.Hex, source.ExpectedRootHash, StringComparison.OrdinalIgnoreCase) ? actual : throw Tampered(source, actual.Hex);
    }

    internal static RuntimeException Tampered(LayerSource source, string actualRootHash) => new(
        StatusCode.PermissionDenied,
        $"storages[{source.Index}]: layer file {source.Path} has dm-verity root hash {actualRootHash}, not the {source.ExpectedRootHash} the request names: the layer was tampered with");

    internal static RuntimeException Unreadable(LayerSource source, Exception e) =>
        new(StatusCode.FailedPrecondition, $"storages[{source.Index}]: cannot read layer file {source.Path}: {e.Message}");

    private static RuntimeException TooLarge(LayerSource source) => new(
        StatusCode.PermissionDenied,
        $"storages[{source.Index}]: layer source {source.Path} holds more than the {source.MaxBytes} bytes "
        + BoundName(source) + "; reading stopped at that bound");

    private static string BoundName(LayerSource source) =>
        source.BoundByAgent ? "of --max-layer-bytes (the policy records no size for this layer)" : $"the policy gives layer {source.ExpectedRootHash}";
}

/// <summary>A layer storage of a request: its index, guest mount point, the root hash it names, its file (or block device) here and how many bytes may be read from it.</summary>
/// <param name="BoundByAgent">True when <paramref name="MaxBytes"/> is the agent's --max-layer-bytes because the policy records no size.</param>
public sealed record LayerSource(int Index, string MountPoint, string ExpectedRootHash, string Path, long MaxBytes, bool BoundByAgent = false)
{
    /// <summary>Whether <see cref="Path"/> is the storage's block device source (a PCI path or /dev name) in Kata's tardev layout rather than a file.</summary>
    public bool OnBlockDevice { get; init; }

    /// <summary>The tardev layer id: the last component of the guest mount point, as the overlay's lowerdir names it.</summary>
    public string LayerId => MountPoint.TrimEnd('/').Split('/')[^1];
}

/// <summary>A layer file whose root hash was recomputed and matched.</summary>
public sealed record VerifiedLayer(string MountPoint, string Path, string RootHash, long DataSize);
