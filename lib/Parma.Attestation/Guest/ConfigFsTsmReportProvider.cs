using System.Globalization;
using Parma.Attestation.Certificates;
using Parma.Attestation.Report;

namespace Parma.Attestation.Guest;

/// <summary>Where and how the configfs-tsm provider works; the root is configurable so tests can use a fake tree.</summary>
public sealed record ConfigFsTsmOptions
{
    public string Root { get; init; } = "/sys/kernel/config/tsm/report";

    /// <summary>Value written to <c>privlevel</c> (the VMPL to report from), or null to leave the kernel default.</summary>
    public uint? PrivilegeLevel { get; init; }

    /// <summary>How long to wait for <c>outblob</c> to appear (instant on a real kernel).</summary>
    public TimeSpan OutblobTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int Attempts { get; init; } = 3;
}

/// <summary>
/// Reports through the kernel's configfs-tsm interface: create an entry under the report directory, write the 64-byte
/// REPORT_DATA to <c>inblob</c>, read the report from <c>outblob</c> and the certificate table from <c>auxblob</c>, then
/// check that <c>generation</c> counts exactly our own writes (otherwise another writer raced us and the attempt is redone).
/// </summary>
public sealed class ConfigFsTsmReportProvider(ConfigFsTsmOptions? options = null) : IAttestationReportProvider
{
    private readonly ConfigFsTsmOptions _options = options ?? new ConfigFsTsmOptions();

    public string Name => "configfs-tsm";

    public bool IsAvailable => Directory.Exists(_options.Root);

    public async Task<AttestationEvidence> GetReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        if (reportData.Length != SnpReportLayout.ReportDataLength)
        {
            throw new ArgumentException($"report data must be {SnpReportLayout.ReportDataLength} bytes, not {reportData.Length}", nameof(reportData));
        }

        if (!IsAvailable)
        {
            throw new AttestationUnavailableException(
                $"configfs-tsm is not available: {_options.Root} does not exist (configfs not mounted or kernel without TSM reports)");
        }

        for (var attempt = 1; ; attempt++)
        {
            var result = await TryOnceAsync(reportData, cancellationToken);
            if (result.Evidence is not null)
            {
                return result.Evidence;
            }

            if (attempt >= _options.Attempts)
            {
                throw new AttestationUnavailableException($"configfs-tsm: {result.Problem} (after {attempt} attempts)");
            }
        }
    }

    private async Task<(AttestationEvidence? Evidence, string? Problem)> TryOnceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var entry = Path.Combine(_options.Root, $"parma-{Guid.NewGuid():N}");
        Directory.CreateDirectory(entry);
        try
        {
            var writes = 0;
            if (_options.PrivilegeLevel is { } level)
            {
                await File.WriteAllTextAsync(Path.Combine(entry, "privlevel"), level.ToString(CultureInfo.InvariantCulture), cancellationToken);
                writes++;
            }

            await File.WriteAllBytesAsync(Path.Combine(entry, "inblob"), reportData.ToArray(), cancellationToken);
            writes++;

            var report = await ReadOutblobAsync(Path.Combine(entry, "outblob"), cancellationToken);

            // The provider attribute exists from mkdir on; it is read once the entry has produced its blobs.
            var provider = Path.Combine(entry, "provider");
            if (File.Exists(provider))
            {
                var name = (await File.ReadAllTextAsync(provider, cancellationToken)).Trim();
                if (name != "sev_guest")
                {
                    throw new AttestationUnavailableException($"configfs-tsm provider is '{name}', not sev_guest (not an SEV-SNP guest)");
                }
            }

            var auxPath = Path.Combine(entry, "auxblob");
            var aux = File.Exists(auxPath) ? await File.ReadAllBytesAsync(auxPath, cancellationToken) : [];
            var generationText = (await File.ReadAllTextAsync(Path.Combine(entry, "generation"), cancellationToken)).Trim();
            if (!long.TryParse(generationText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var generation))
            {
                throw new AttestationUnavailableException($"configfs-tsm generation '{generationText}' is not a number");
            }

            if (generation != writes)
            {
                return (null, $"generation is {generation} but this process wrote {writes} attribute(s): another writer raced on {entry}");
            }

            if (report.Length != SnpReportLayout.Size)
            {
                throw new AttestationUnavailableException($"configfs-tsm outblob is {report.Length} bytes, not an {SnpReportLayout.Size}-byte SNP report");
            }

            var table = aux.Length == 0 ? new CertificateTable(new Dictionary<Guid, byte[]>()) : CertificateTable.Parse(aux);
            return (new AttestationEvidence(report, table), null);
        }
        catch (IOException e)
        {
            throw new AttestationUnavailableException($"configfs-tsm I/O failed under {entry}: {e.Message}", e);
        }
        finally
        {
            try
            {
                Directory.Delete(entry);
            }
            catch (IOException)
            {
                // A real configfs entry is removed with rmdir; a fake tree with plain files is left for inspection.
            }
        }
    }

    private async Task<byte[]> ReadOutblobAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.OutblobTimeout;
        while (true)
        {
            if (File.Exists(path))
            {
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
                if (bytes.Length > 0)
                {
                    return bytes;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AttestationUnavailableException($"configfs-tsm produced no outblob at {path} within {_options.OutblobTimeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
