using System.Collections.Concurrent;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime;

/// <summary>
/// The sandbox's unpacked layers, one directory per root hash, shared by its containers (as Kata
/// mounts each layer once under /run/kata-containers/sandbox/layers). A layer is copied out of the
/// host's file into private storage while its root hash is recomputed over the copied bytes, so the
/// host cannot change it between the check and the use; the copy reads at most the layer's bound
/// (<see cref="LayerVerifier.ReadAsync"/>). On a machine with device-mapper the copy is then read
/// through a dm-verity device opened under the requested root hash. Unpacking is the long part of a
/// CreateContainer: the dispatcher runs it outside its state gate, before the request is carried out.
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
