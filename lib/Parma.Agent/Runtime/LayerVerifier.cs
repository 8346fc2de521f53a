using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;
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

    public async Task<IReadOnlyList<VerifiedLayer>> VerifyAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        var verified = new List<VerifiedLayer>();
        for (var i = 0; i < request.Storages.Count; i++)
        {
            var storage = request.Storages[i];
            if (storage.Fstype != "tar")
            {
                continue;
            }

            var expected = storage.Options.FirstOrDefault(o => o.StartsWith(RootHashOption, StringComparison.Ordinal))?[RootHashOption.Length..]
                ?? throw new RuntimeException(StatusCode.InvalidArgument, $"storages[{i}] ({storage.MountPoint}): a layer storage without a root-hash option");
            var path = options.ResolveSource(storage.Source);
            if (!File.Exists(path))
            {
                throw new RuntimeException(StatusCode.NotFound, $"storages[{i}]: layer file {path} does not exist");
            }

            VerityRootHash actual;
            try
            {
                actual = await VerityHasher.HashFileAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw new RuntimeException(StatusCode.FailedPrecondition, $"storages[{i}]: cannot read layer file {path}: {e.Message}");
            }

            if (!string.Equals(actual.Hex, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new RuntimeException(
                    StatusCode.PermissionDenied,
                    $"storages[{i}]: layer file {path} has dm-verity root hash {actual.Hex}, not the {expected} the request names: the layer was tampered with");
            }

            verified.Add(new VerifiedLayer(storage.MountPoint, path, actual.Hex, actual.DataSize));
        }

        return verified;
    }
}

/// <summary>A layer file whose root hash was recomputed and matched.</summary>
public sealed record VerifiedLayer(string MountPoint, string Path, string RootHash, long DataSize);
