using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Parma.Webhook.Tls;

/// <summary>
/// The serving certificate, read from PEM certificate and key files and read again when their content
/// changes. The files are polled rather than watched: mounted Secrets are updated by swapping a symlink,
/// which file watchers miss. While a new pair cannot be loaded (e.g. the key and the certificate were
/// not both replaced yet), the previous certificate keeps being served.
/// </summary>
public sealed class CertificateReloader : IDisposable
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly Timer? _timer;
    private readonly Lock _lock = new();
    private byte[] _fingerprint = [];
    private X509Certificate2 _current;

    public CertificateReloader(string certificatePath, string keyPath, TimeSpan pollInterval)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        (_current, _fingerprint) = Load() ?? throw new WebhookStartupException(
            $"cannot load the TLS certificate from --tls-cert {certificatePath} and --tls-key {keyPath}: {_lastError}");
        _timer = new Timer(_ => Poll(), null, pollInterval, pollInterval);
    }

    private string _lastError = "";

    /// <summary>Where reloads are reported (set once the host's logging exists).</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The certificate to present on new connections.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>How many times a new certificate was taken up since start.</summary>
    public int Reloads { get; private set; }

    /// <summary>Checks the files now; true when a new certificate was taken up.</summary>
    public bool Poll()
    {
        byte[] fingerprint;
        try
        {
            fingerprint = Fingerprint();
        }
        catch (IOException e)
        {
            Logger.LogWarning("TLS files unreadable, keeping the current certificate: {Error}", e.Message);
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            Logger.LogWarning("TLS files unreadable, keeping the current certificate: {Error}", e.Message);
            return false;
        }

        lock (_lock)
        {
            if (fingerprint.AsSpan().SequenceEqual(_fingerprint))
            {
                return false;
            }
        }

        if (Load() is not { } loaded)
        {
            Logger.LogWarning("TLS files changed but do not load yet, keeping the current certificate: {Error}", _lastError);
            return false;
        }

        lock (_lock)
        {
            _current = loaded.Certificate;
            _fingerprint = loaded.Fingerprint;
            Reloads++;
        }

        Logger.LogInformation("Serving a new TLS certificate {Subject}, valid until {NotAfter:o}, thumbprint {Thumbprint}",
            loaded.Certificate.Subject, loaded.Certificate.NotAfter.ToUniversalTime(), loaded.Certificate.Thumbprint);
        return true;
    }

    public void Dispose() => _timer?.Dispose();

    private (X509Certificate2 Certificate, byte[] Fingerprint)? Load()
    {
        try
        {
            var fingerprint = Fingerprint();
            var certificate = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
            if (!certificate.HasPrivateKey)
            {
                _lastError = "the key file holds no private key for the certificate";
                return null;
            }

            return (certificate, fingerprint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            _lastError = e.Message;
            return null;
        }
    }

    private byte[] Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(_certificatePath));
        hash.AppendData(File.ReadAllBytes(_keyPath));
        return hash.GetHashAndReset();
    }
}
