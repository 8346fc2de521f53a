using System.Collections.Concurrent;
using Parma.Agent.Ttrpc;
using Parma.Oci.Sources;

namespace Parma.Agent.Runtime;

/// <summary>
/// The sandbox's unpacked layers, one directory per root hash, shared by its containers (as Kata
/// mounts each layer once under /run/kata-containers/sandbox/layers). A layer on a block device the
/// host attached (Kata's tardev layout, hash tree appended) is opened as a dm-verity device under the
/// requested root hash and unpacked from it, every block checked by the kernel as it is read; a device
/// whose parameters claim more data than the layer's bound is refused before any of it is read
/// (<see cref="LayerVerifier.OpenDeviceAsync"/>). A layer file is copied into private storage while its
/// root hash is recomputed over the copied bytes, so the host cannot change it between the check and
/// the use; the copy reads at most the layer's bound (<see cref="LayerVerifier.ReadAsync"/>). On a
/// machine with device-mapper the copy is then read through a dm-verity device as well. Unpacking is
/// the long part of a CreateContainer: the dispatcher runs it outside its state gate, before the
/// request is carried out.
/// </summary>
public sealed class LayerStore(RuntimeOptions options, MountSupport support)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _layers = new(StringComparer.Ordinal);

    public string Root => Path.Combine(options.StateDirectory, ".layers");

    /// <summary>The directory holding the layer's files, unpacking it first if no container of the sandbox has yet.</summary>
    public async Task<string> UnpackAsync(LayerSource source, CancellationToken cancellationToken)
    {
        var key = source.ExpectedRootHash.ToLowerInvariant();
        var unpacked = _layers.GetOrAdd(key, _ => new Lazy<Task<string>>(() => UnpackOnceAsync(source, key, cancellationToken)));
        try
        {
            // A second request for the layer waits for the first one's copy, but no longer than its own deadline.
            return await unpacked.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (unpacked.Value.IsFaulted || unpacked.Value.IsCanceled)
        {
            _layers.TryRemove(KeyValuePair.Create(key, unpacked));
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RuntimeException(StatusCode.Unavailable, $"storages[{source.Index}]: the copy of layer {source.LayerId} that this request waited for was cancelled with the request that started it; retry");
            }

            throw;
        }
    }

    public void Clear()
    {
        _layers.Clear();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private async Task<string> UnpackOnceAsync(LayerSource source, string rootHash, CancellationToken cancellationToken)
    {
        if (rootHash.Length != 64 || !rootHash.All(char.IsAsciiHexDigitLower))
        {
            throw new RuntimeException(StatusCode.InvalidArgument, $"storages[{source.Index}]: root hash '{source.ExpectedRootHash}' is not 64 hex digits");
        }

        Directory.CreateDirectory(Root);
        var final = Path.Combine(Root, rootHash);
        var scratch = Path.Combine(Root, $".{rootHash}-{Guid.NewGuid():N}");
        if (source.OnBlockDevice)
        {
            await UnpackDeviceAsync(source, rootHash, scratch + ".unpack", cancellationToken).ConfigureAwait(false);
            Directory.Move(scratch + ".unpack", final);
            return final;
        }

        var copy = scratch + ".layer";
        try
        {
            await using (var output = new FileStream(copy, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                await LayerVerifier.ReadAsync(source, output, cancellationToken).ConfigureAwait(false);
            }

            var staging = scratch + ".unpack";
            try
            {
                await ExtractAsync(source, copy, rootHash, staging, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new RuntimeException(StatusCode.FailedPrecondition, $"storages[{source.Index}]: cannot unpack layer {source.LayerId}: {e.Message}");
            }

            Directory.Move(staging, final);
            return final;
        }
        finally
        {
            foreach (var leftover in new[] { copy, copy + ".verity" })
            {
                File.Delete(leftover);
            }

            if (Directory.Exists(scratch + ".unpack"))
            {
                Directory.Delete(scratch + ".unpack", recursive: true);
            }
        }
    }

    /// <summary>
    /// Unpacks a layer block device through dm-verity, then reads the rest of the layer image (the
    /// tarfs index) so that a changed byte anywhere in it is caught, not only in the tar members.
    /// </summary>
    private async Task UnpackDeviceAsync(LayerSource source, string rootHash, string staging, CancellationToken cancellationToken)
    {
        var what = $"storages[{source.Index}]";
        if (!support.UsesDeviceMapper)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: layer {source.LayerId} is on block device {source.Path}; opening it needs the device-mapper driver and veritysetup, which this machine lacks");
        }

        var device = await LayerVerifier.OpenDeviceAsync(source, cancellationToken).ConfigureAwait(false);
        var unpacked = false;
        try
        {
            await using var verity = await OpenVerityAsync(device, rootHash, what, source.LayerId, cancellationToken).ConfigureAwait(false);
            await using var verified = new BoundedStream(new FileStream(verity.DevicePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16), device.DataSize);
            try
            {
                LayerTarExtractor.Extract(verified, staging, source.LayerId, support);
                await verified.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // A dm-verity device fails the read of a block whose hash does not chain up to the root hash.
                throw new RuntimeException(
                    StatusCode.PermissionDenied,
                    $"{what}: layer {source.LayerId} on {device.DevicePath} does not match root hash {rootHash}: dm-verity refused a block ({e.Message})");
            }
            catch (InvalidDataException e)
            {
                throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: cannot unpack layer {source.LayerId}: {e.Message}");
            }

            unpacked = true;
        }
        finally
        {
            if (!unpacked && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private async Task<VerityDevice> OpenVerityAsync(LayerDevice device, string rootHash, string what, string layerId, CancellationToken cancellationToken)
    {
        try
        {
            return await VerityDevice.OpenAsync(support.Veritysetup!, device, rootHash, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.FailedPrecondition, $"{what}: cannot open layer {layerId} on {device.DevicePath} with dm-verity: {e.Message}");
        }
    }

    private async Task ExtractAsync(LayerSource source, string copy, string rootHash, string staging, CancellationToken cancellationToken)
    {
        if (support.UsesDeviceMapper)
        {
            await using var device = await VerityDevice.OpenAsync(support.Veritysetup!, copy, rootHash, cancellationToken).ConfigureAwait(false);
            await using var verified = File.OpenRead(device.DevicePath);
            LayerTarExtractor.Extract(verified, staging, source.LayerId, support);
        }
        else
        {
            await using var verified = File.OpenRead(copy);
            LayerTarExtractor.Extract(verified, staging, source.LayerId, support);
        }
    }
}
