using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.KeyRelease;

namespace Parma.KeyRelease.Tests;

/// <summary>The real service on Kestrel, 127.0.0.1, an ephemeral port; every log line is kept for inspection.</summary>
internal sealed class LoopbackKeyReleaseServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackKeyReleaseServer(WebApplication app, Uri address, LogSink logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    public LogSink Logs { get; }

    public HttpClient CreateClient() => new() { BaseAddress = Address };

    public static async Task<LoopbackKeyReleaseServer> StartAsync(
        IReadOnlyDictionary<string, ReleasableSecret> secrets, SnpReportVerifier verifier, IHostDataSource? hostData = null)
    {
        var logs = new LogSink();
        var app = KeyReleaseHost.Build([], secrets, verifier, hostData, configure: builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackKeyReleaseServer(app, new Uri(address.EndsWith('/') ? address : address + "/"), logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

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
