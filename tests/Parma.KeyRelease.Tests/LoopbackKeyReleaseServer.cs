using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.KeyRelease.Hosting;

namespace Parma.KeyRelease.Tests;

/// <summary>The real service on Kestrel, 127.0.0.1, an ephemeral port; every log line is kept for inspection.</summary>
internal sealed class LoopbackKeyReleaseServer : IAsyncDisposable
{
    private readonly WebApplication? _app;

    private LoopbackKeyReleaseServer(WebApplication? app, KeyReleaseServer? server, Uri address, LogSink logs)
    {
        _app = app;
        Server = server;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    public LogSink Logs { get; }

    /// <summary>Set when started from a configuration file (<see cref="StartFromConfigAsync"/>): reload it through here.</summary>
    public KeyReleaseServer? Server { get; }

    public HttpClient CreateClient() => new() { BaseAddress = Address };

    /// <summary>The host around a catalog built in code.</summary>
    public static async Task<LoopbackKeyReleaseServer> StartAsync(IEnumerable<ReleasableSecret> secrets, SnpReportVerifier verifier)
    {
        var logs = new LogSink();
        var app = KeyReleaseHost.Build(new KeyCatalogSlot(new KeyCatalog(secrets, verifier)), "http://127.0.0.1:0", configure: logs.Capture);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackKeyReleaseServer(app, null, Normalise(address), logs);
    }

    /// <summary>The service exactly as <c>parma-key-release --config FILE</c> starts it (recomputing host_data first).</summary>
    public static async Task<LoopbackKeyReleaseServer> StartFromConfigAsync(string configPath)
    {
        var logs = new LogSink();
        var server = await KeyReleaseServer.StartAsync(new KeyReleaseServerOptions { ConfigPath = configPath, Urls = "http://127.0.0.1:0", Configure = logs.Capture });
        return new LoopbackKeyReleaseServer(null, server, Normalise(server.Addresses.Single()), logs);
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static Uri Normalise(string address) => new(address.EndsWith('/') ? address : address + "/");
}

internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string Text => string.Join('\n', Lines);

    public void Capture(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(this);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            sink.Lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {structured} {exception}");
        }
    }
}
