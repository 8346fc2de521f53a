using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
using Parma.Oci.Sources;
using Parma.Oci.Verity;

namespace Parma.Agent.Runtime;

/// <summary>
/// Checks each tardev layer storage of a CreateContainer request: the dm-verity root hash of the
/// layer file, recomputed here, must equal the storage's root-hash option (which the policy
/// already compared with the image's). A block device the host swapped or edited is caught before
/// anything is mounted from it.
/// </summary>
public sealed class LayerVerifier(RuntimeOptions options)
{
    public const string RootHashOption = "io.katacontainers.fs-opt.root-hash=";

    /// <summary>The request's layer storages with the root hash each names and where its file is on this machine.</summary>
    public IReadOnlyList<LayerSource> Sources(CreateContainerRequest request)
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
            // A block device (PCI path or /dev name) is resolved when it is opened; a file is looked up here.
            var onBlockDevice = LayerDevice.IsDeviceSource(storage.Source);
            var path = onBlockDevice ? storage.Source : options.ResolveSource(storage.Source);
            if (!onBlockDevice && !File.Exists(path))
            {
                throw new RuntimeException(StatusCode.NotFound, $"storages[{i}]: layer file {path} does not exist");
            }

            sources.Add(new LayerSource(i, storage.MountPoint, expected, path) { OnBlockDevice = onBlockDevice });
        }

        return sources;
    }

    public async Task<IReadOnlyList<VerifiedLayer>> VerifyAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        var verified = new List<VerifiedLayer>();
        foreach (var source in Sources(request))
        {
            VerityRootHash actual;
            try
            {
                actual = source.OnBlockDevice
                    ? await HashDeviceAsync(source, cancellationToken).ConfigureAwait(false)
                    : await VerityHasher.HashFileAsync(source.Path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw Unreadable(source, e);
            }

            if (!string.Equals(actual.Hex, source.ExpectedRootHash, StringComparison.OrdinalIgnoreCase))
            {
                throw Tampered(source, actual.Hex);
            }

            verified.Add(new VerifiedLayer(source.MountPoint, source.Path, actual.Hex, actual.DataSize));
        }

        return verified;
    }

    /// <summary>The root hash of the layer image on a tardev block device (its data blocks, without the tree the host appended).</summary>
    private static async Task<VerityRootHash> HashDeviceAsync(LayerSource source, CancellationToken cancellationToken)
    {
        var device = LayerDevice.Open(await LayerDevice.ResolveAsync(source.Path, $"storages[{source.Index}]", cancellationToken).ConfigureAwait(false), $"storages[{source.Index}]");
        await using var data = new BoundedStream(new FileStream(device.DevicePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0), device.DataSize);
        return await VerityHasher.HashStreamAsync(data, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    internal static RuntimeException Tampered(LayerSource source, string actualRootHash) => new(
        StatusCode.PermissionDenied,
        $"storages[{source.Index}]: layer file {source.Path} has dm-verity root hash {actualRootHash}, not the {source.ExpectedRootHash} the request names: the layer was tampered with");

    internal static RuntimeException Unreadable(LayerSource source, Exception e) =>
        new(StatusCode.FailedPrecondition, $"storages[{source.Index}]: cannot read layer file {source.Path}: {e.Message}");
}

/// <summary>A layer storage of a request: its index, guest mount point, the root hash it names and its file (or block device) here.</summary>
public sealed record LayerSource(int Index, string MountPoint, string ExpectedRootHash, string Path)
{
    /// <summary>Whether <see cref="Path"/> is the storage's block device source (a PCI path or /dev name) in Kata's tardev layout rather than a file.</summary>
    public bool OnBlockDevice { get; init; }

    /// <summary>The tardev layer id: the last component of the guest mount point, as the overlay's lowerdir names it.</summary>
    public string LayerId => MountPoint.TrimEnd('/').Split('/')[^1];
}

/// <summary>A layer file whose root hash was recomputed and matched.</summary>
public sealed record VerifiedLayer(string MountPoint, string Path, string RootHash, long DataSize);
