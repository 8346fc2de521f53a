using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parma.KeyRelease.Hosting;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>The development-mode key-release Deployment's probes and port, against the real service started with the rendered args.</summary>
public sealed class KeyReleaseProbeTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("parma-chart-kr-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Key_release_answers_the_probes_the_chart_declares_and_warns_that_it_is_in_development_mode()
    {
        var chart = await Helm.TemplateAsync("parma-system", "--set", "keyRelease.developmentMode.enabled=true", "--set", "keyRelease.existingSecret=keys");
        var deployment = chart.Deployment("key-release");
        var container = RenderedChart.Container(deployment);
        RenderedChart.Flag(deployment, "--config").Should().Be("/etc/parma/key-release/config.json");
        RenderedChart.Flag(deployment, "--urls").Should().Be("http://0.0.0.0:8080");
        RenderedChart.Args(deployment).Should().Contain("--development-mode");

        // The Secret's config.json: one key pinned to a host_data (what CI computed), any UVM image (a demo).
        var config = Path.Combine(_work, "config.json");
        await File.WriteAllBytesAsync(Path.Combine(_work, "db.secret"), [1, 2, 3]);
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            keys = new[] { new { id = "db", secretFile = "db.secret", policy = new { allowedHostData = new[] { new string('a', 64) }, allowAnyMeasurement = true } } },
        }));
        var args = ChartComponents.Rewrite(RenderedChart.Args(deployment), new Dictionary<string, string> { ["--config"] = config, ["--urls"] = "http://127.0.0.1:0" });
        var logs = new List<string>();
        var options = KeyReleaseServerOptions.Parse(args) with
        {
            Configure = builder => builder.Logging.ClearProviders().AddProvider(new ListLogger(logs)),
        };

        await using var server = await KeyReleaseServer.StartAsync(options);
        using var http = new HttpClient { BaseAddress = ChartComponents.Address(server.App, "http") };
        foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
        {
            var path = container[probe]!["httpGet"]!["path"]!.GetValue<string>();
            var response = await http.GetAsync(path);
            response.IsSuccessStatusCode.Should().BeTrue($"{probe} {path} answered {(int)response.StatusCode}");
        }

        lock (logs)
        {
            logs.Should().Contain(line => line.Contains(KeyReleaseServer.DevelopmentWarning, StringComparison.Ordinal));
        }
    }

    private sealed class ListLogger(List<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add($"{logLevel} {formatter(state, exception)}");
            }
        }

        public void Dispose()
        {
        }
    }
}
