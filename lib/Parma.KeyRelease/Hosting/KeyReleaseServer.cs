using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parma.Attestation.KeyRelease;
using Parma.KeyRelease.Configuration;

namespace Parma.KeyRelease.Hosting;

/// <summary>
/// The running service: loads the configuration (recomputing host_data from the tenant's manifests) before it listens,
/// and loads it again on SIGHUP or <see cref="ReloadAsync"/>. Requests never trigger a load. A configuration that does not
/// load stops the start; a reload that fails leaves the service refusing every release until a reload succeeds.
/// </summary>
public sealed class KeyReleaseServer : IAsyncDisposable
{
    public const string DevelopmentWarning =
        "DEVELOPMENT MODE: this key-release service runs inside the Kubernetes cluster whose workloads it guards, and its secrets " +
        "sit in a Kubernetes Secret. Cluster administrators, anyone who can read that Secret and the node that runs this pod can " +
        "take them. Never guard a real secret this way: run the service on your own infrastructure (docs/attestation.md).";

    private readonly KeyReleaseServerOptions _options;
    private readonly KeyCatalogSlot _catalogs;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private PosixSignalRegistration? _hangup;

    private KeyReleaseServer(KeyReleaseServerOptions options, WebApplication app, KeyCatalogSlot catalogs)
    {
        _options = options;
        App = app;
        _catalogs = catalogs;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Parma.KeyRelease");
    }

    public WebApplication App { get; }

    /// <summary>The addresses Kestrel listens on (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyCollection<string> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <exception cref="KeyReleaseConfigurationException">the configuration does not load; nothing listens.</exception>
    public static async Task<KeyReleaseServer> StartAsync(KeyReleaseServerOptions options, CancellationToken cancellationToken = default)
    {
        var loaded = await KeyCatalogLoader.LoadAsync(options.ConfigPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        var catalogs = new KeyCatalogSlot(loaded.Catalog);
        var server = new KeyReleaseServer(options, KeyReleaseHost.Build(catalogs, options.Urls, configure: options.Configure), catalogs);
        server.Report(loaded);
        await server.App.StartAsync(cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            server._hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = server.ReloadAsync(CancellationToken.None);
            });
        }

        server._logger.LogInformation("key-release service listening on {Addresses}; send SIGHUP to reload {Config}", string.Join(", ", server.Addresses), loaded.Path);
        return server;
    }

    /// <summary>Loads the configuration again and installs it; on failure refuses every release until a reload succeeds.</summary>
    /// <returns>Whether the new configuration is in force.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _logger.LogInformation("reloading {Config}", _options.ConfigPath);
            var loaded = await KeyCatalogLoader.LoadAsync(_options.ConfigPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            _catalogs.Install(loaded.Catalog);
            Report(loaded);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed: a reload may have been meant to revoke a policy, so the previous approvals are not kept.
            _catalogs.Invalidate("the last reload of its configuration failed; see the service's log");
            _logger.LogError(e is KeyReleaseConfigurationException ? null : e, "the reload of {Config} failed, so every release is refused until a reload succeeds: {Error}", _options.ConfigPath, e.Message);
            return false;
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Starts the service and serves until the process is asked to stop: the container's and the CLI's entry point.</summary>
    /// <returns>0 after a clean stop, 2 when the configuration does not load.</returns>
    public static async Task<int> RunAsync(KeyReleaseServerOptions options, TextWriter error, CancellationToken cancellationToken = default)
    {
        KeyReleaseServer server;
        try
        {
            server = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyReleaseConfigurationException e)
        {
            await error.WriteLineAsync($"parma-key-release: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        await using (server.ConfigureAwait(false))
        {
            await server.App.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }

    private void Report(LoadedConfiguration loaded)
    {
        if (_options.DevelopmentMode)
        {
            _logger.LogWarning("{Warning}", DevelopmentWarning);
        }

        foreach (var key in loaded.Keys)
        {
            foreach (var hostData in key.HostData)
            {
                _logger.LogInformation("key {KeyId} approves host_data {HostData} ({Source})", key.KeyId, hostData.Hex, hostData.Source);
            }

            if (key.Policy.AllowAnyMeasurement)
            {
                _logger.LogWarning("key {KeyId} accepts any MEASUREMENT (allowAnyMeasurement): any UVM image whose HOST_DATA matches gets it", key.KeyId);
            }
            else
            {
                _logger.LogInformation("key {KeyId} approves MEASUREMENT {Measurements}", key.KeyId, string.Join(", ", key.Policy.AllowedMeasurements));
            }

            if (key.Policy.AllowMigrationAgent)
            {
                _logger.LogWarning("key {KeyId} accepts guests that allow a migration agent (allowMigrationAgent)", key.KeyId);
            }

            if (key.Policy.MinimumTcb is null)
            {
                _logger.LogWarning("key {KeyId} sets no minimumTcb: reports from firmware with known vulnerabilities are accepted", key.KeyId);
            }
        }
    }
}
