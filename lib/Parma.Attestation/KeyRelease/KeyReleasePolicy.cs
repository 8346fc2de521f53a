using System.Text.RegularExpressions;
using Parma.Attestation.Report;

namespace Parma.Attestation.KeyRelease;

/// <summary>
/// When a secret may be released. Everything here comes from the tenant's own configuration, fixed when the
/// service loads it: HOST_DATA must be one of <see cref="AllowedHostData"/> (pinned, or recomputed from the tenant's
/// manifests), MEASUREMENT one of <see cref="AllowedMeasurements"/> unless <see cref="AllowAnyMeasurement"/> says
/// otherwise explicitly. Debug guests and VMPL other than 0 are always refused; a migration agent unless allowed.
/// </summary>
public sealed partial record KeyReleasePolicy
{
    /// <summary>Approved HOST_DATA values (64 lowercase or uppercase hex digits each). Never empty.</summary>
    public IReadOnlyList<string> AllowedHostData { get; init; } = [];

    /// <summary>Approved MEASUREMENT values (96 hex digits each). Required unless <see cref="AllowAnyMeasurement"/>.</summary>
    public IReadOnlyList<string> AllowedMeasurements { get; init; } = [];

    /// <summary>Accept any MEASUREMENT, i.e. any UVM image, as long as HOST_DATA matches. Must be said explicitly.</summary>
    public bool AllowAnyMeasurement { get; init; }

    /// <summary>Accept a guest policy that allows a migration agent. Off by default.</summary>
    public bool AllowMigrationAgent { get; init; }

    public TcbComponents? MinimumTcb { get; init; }

    /// <summary>Refuses a policy that could release to anything the tenant did not name; the message says what to fix.</summary>
    public void Validate(string keyId)
    {
        if (AllowedHostData.Count == 0)
        {
            throw new InvalidDataException($"key '{keyId}': no host_data is approved, so the key could never be released; list the group's manifests or pin allowedHostData");
        }

        foreach (var hex in AllowedHostData.Where(value => !HostDataHex().IsMatch(value)))
        {
            throw new InvalidDataException($"key '{keyId}': host_data '{hex}' is not 64 hex digits (SHA-256 of the policy)");
        }

        foreach (var hex in AllowedMeasurements.Where(value => !MeasurementHex().IsMatch(value)))
        {
            throw new InvalidDataException($"key '{keyId}': measurement '{hex}' is not 96 hex digits (the 48-byte launch digest)");
        }

        if (AllowedMeasurements.Count == 0 && !AllowAnyMeasurement)
        {
            throw new InvalidDataException(
                $"key '{keyId}': no MEASUREMENT is approved; list the launch digests of your UVM images in allowedMeasurements, or set \"allowAnyMeasurement\": true to accept any UVM image (HOST_DATA alone does not prove the UVM runs the Parma agent)");
        }

        if (AllowedMeasurements.Count > 0 && AllowAnyMeasurement)
        {
            throw new InvalidDataException($"key '{keyId}': allowAnyMeasurement contradicts the allowedMeasurements list; keep one");
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HostDataHex();

    [GeneratedRegex("^[0-9a-fA-F]{96}$")]
    private static partial Regex MeasurementHex();
}

/// <summary>A secret the service can release, with the policy that guards it.</summary>
public sealed record ReleasableSecret(string KeyId, byte[] Secret, KeyReleasePolicy Policy);
