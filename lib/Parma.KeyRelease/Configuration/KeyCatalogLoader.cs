using System.Text.RegularExpressions;
using Parma.Attestation.Certificates;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;
using Parma.KeyRelease.HostData;

namespace Parma.KeyRelease.Configuration;

/// <summary>What one key approves, with where each host_data came from.</summary>
public sealed record KeyApprovals(string KeyId, IReadOnlyList<ApprovedHostData> HostData, KeyReleasePolicy Policy);

/// <summary>A loaded configuration: the catalog to install and, for the log and <c>parma key-release check</c>, what it approves.</summary>
public sealed record LoadedConfiguration(string Path, KeyCatalog Catalog, IReadOnlyList<KeyApprovals> Keys);

/// <summary>
/// Turns the tenant's configuration file into a <see cref="KeyCatalog"/>: reads the secret files, recomputes host_data
/// from the listed manifests, adds the pinned values, checks every policy fails closed, and builds the verifier from
/// AMD's roots plus pinned extra ARKs. Runs at start-up and on an explicit reload, never per request. Any error stops
/// the load with a message naming the file; nothing is half-loaded.
/// </summary>
public static partial class KeyCatalogLoader
{
    public static async Task<LoadedConfiguration> LoadAsync(string configPath, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var path = System.IO.Path.GetFullPath(configPath);
        var configuration = KeyReleaseConfiguration.Load(path);
        var baseDirectory = System.IO.Path.GetDirectoryName(path)!;
        var secrets = new List<ReleasableSecret>();
        var keys = new List<KeyApprovals>();
        using var generated = configuration.Keys.Any(key => key.Policy.Manifests.Count > 0)
            ? new ManifestHostData(configuration.Generator, baseDirectory)
            : null;
        foreach (var key in configuration.Keys)
        {
            var approved = await ApproveAsync(key, generated, cancellationToken).ConfigureAwait(false);
            var policy = new KeyReleasePolicy
            {
                AllowedHostData = [.. approved.Select(value => value.Hex).Distinct(StringComparer.Ordinal)],
                AllowedMeasurements = [.. key.Policy.AllowedMeasurements.Select(value => value.ToLowerInvariant())],
                AllowAnyMeasurement = key.Policy.AllowAnyMeasurement,
                AllowMigrationAgent = key.Policy.AllowMigrationAgent,
                MinimumTcb = key.Policy.MinimumTcb,
            };
            secrets.Add(new ReleasableSecret(key.Id, ReadSecret(baseDirectory, key), policy));
            keys.Add(new KeyApprovals(key.Id, approved, policy));
        }

        try
        {
            return new LoadedConfiguration(path, new KeyCatalog(secrets, new SnpReportVerifier(BuildRoots(configuration, baseDirectory), time)), keys);
        }
        catch (InvalidDataException e)
        {
            throw new KeyReleaseConfigurationException($"{path}: {e.Message}", e);
        }
    }

    private static async Task<IReadOnlyList<ApprovedHostData>> ApproveAsync(
        KeyReleaseConfiguration.KeyEntry key, ManifestHostData? generated, CancellationToken cancellationToken)
    {
        if (key.Policy.Group is not null)
        {
            throw new KeyReleaseConfigurationException(
                $"key '{key.Id}': policy.group was removed: it approved whatever host_data the cluster's pods and group status named, and anyone who can create pods controls those. List the group's manifests (your own copy) in policy.manifests, or pin policy.allowedHostData");
        }

        if (key.Policy.Vmpl != 0)
        {
            throw new KeyReleaseConfigurationException($"key '{key.Id}': policy.vmpl {key.Policy.Vmpl} is not accepted; only reports from VMPL 0 are released to");
        }

        var approved = new List<ApprovedHostData>();
        foreach (var hex in key.Policy.AllowedHostData)
        {
            approved.Add(HostDataHex().IsMatch(hex)
                ? new ApprovedHostData(hex.ToLowerInvariant(), "allowedHostData")
                : throw new KeyReleaseConfigurationException($"key '{key.Id}': allowedHostData '{hex}' is not 64 hex digits (SHA-256 of the policy)"));
        }

        if (generated is not null && key.Policy.Manifests.Count > 0)
        {
            approved.AddRange(await generated.GenerateAsync(key.Id, key.Policy.Manifests, key.Policy.ConfigFiles, key.Policy.SettingsPatches, cancellationToken).ConfigureAwait(false));
        }
        else if (key.Policy.ConfigFiles.Count > 0 || key.Policy.SettingsPatches.Count > 0)
        {
            throw new KeyReleaseConfigurationException($"key '{key.Id}': configFiles and settingsPatches apply to manifests, and policy.manifests is empty");
        }

        return approved;
    }

    private static byte[] ReadSecret(string baseDirectory, KeyReleaseConfiguration.KeyEntry key)
    {
        var path = System.IO.Path.GetFullPath(key.SecretFile, baseDirectory);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyReleaseConfigurationException($"key '{key.Id}': secretFile {path}: {e.Message}", e);
        }
    }

    private static TrustedRoots BuildRoots(KeyReleaseConfiguration configuration, string baseDirectory)
    {
        var roots = TrustedRoots.AmdBuiltIn();
        foreach (var root in configuration.AdditionalRoots)
        {
            var product = SnpProducts.Parse(root.Product);
            if (product == SnpProduct.Unknown)
            {
                throw new KeyReleaseConfigurationException($"additional root product '{root.Product}' is not Milan, Genoa or Turin");
            }

            var path = System.IO.Path.GetFullPath(root.ArkFile, baseDirectory);
            try
            {
                roots.AddRoot(product, CertificateFiles.LoadOne(path), root.Sha256);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException or FormatException)
            {
                throw new KeyReleaseConfigurationException($"additional root {path}: {e.Message}", e);
            }
        }

        return roots;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HostDataHex();
}
